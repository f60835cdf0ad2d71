"""PAdES signature of sealed PDFs with pyHanko, when a certificate is configured.

Settings: PROOF_SIGNING_KEY and PROOF_SIGNING_CERT (PEM files), PROOF_SIGNING_KEY_PASSWORD
(optional). Without them the sealed sheet carries its SHA-256 fingerprints alone.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor


def configured(config: Mapping) -> bool:
    return bool(config.get("PROOF_SIGNING_KEY") and config.get("PROOF_SIGNING_CERT"))


def sign_pdf(pdf: bytes, config: Mapping) -> bytes | None:
    """Return ``pdf`` signed (PAdES B-B), or None when no certificate is configured."""
    if not configured(config):
        return None
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    password = config.get("PROOF_SIGNING_KEY_PASSWORD")
    signer = signers.SimpleSigner.load(
        config["PROOF_SIGNING_KEY"],
        config["PROOF_SIGNING_CERT"],
        key_passphrase=password.encode("utf-8") if password else None,
    )
    if signer is None:
        raise RuntimeError("PROOF_SIGNING_KEY / PROOF_SIGNING_CERT could not be read")
    metadata = signers.PdfSignatureMetadata(
        field_name="Scellement",
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Feuille d'émargement validée et scellée",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = run_async(lambda: signers.async_sign_pdf(writer, metadata, signer=signer))
    return output.getvalue()


def run_async(make_coroutine):
    """Run pyHanko's coroutine to its end, also from a thread whose event loop is running
    (asyncio.run refuses there): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()
