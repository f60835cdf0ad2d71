"""The uploaded signature or stamp image: decoded with Pillow and stored re-encoded as PNG
(what is stored is pixels, never the uploaded file)."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

MAX_SIDE = 1200


class StampError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalise_stamp(content: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise StampError("Choisissez une image PNG ou JPEG.")
            if max(image.size) > 8000:
                raise StampError("Cette image est trop grande.")
            image.load()
            converted = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise StampError("Ce fichier n'est pas une image PNG ou JPEG lisible.") from error
    converted.thumbnail((MAX_SIDE, MAX_SIDE))
    output = io.BytesIO()
    converted.save(output, format="PNG")
    return output.getvalue()
