"""The proof room: signatures per séance, sealed sign-in sheets, certificates of completion
(certificats de réalisation), evidence packs per session, and how long proof is kept.

It stands on attendance (rosters, hours) and below privacy (which keeps sealed proof when it
anonymises a person). See README, "Proof: signatures, sealed sheets, certificates".
"""

from flask import Blueprint

bp = Blueprint("proof", __name__)

from reseau.proof import certificate_views, pack_views, receivers, views  # noqa: E402, F401
