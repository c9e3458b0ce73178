"""Sign human-made files with C2PA manifests that declare human origin, and verify them.

>>> import provenance
>>> identity = provenance.Identity.load(path, password=None)       # doctest: +SKIP
>>> provenance.sign("photo.jpg", identity=identity)               # doctest: +SKIP
>>> provenance.verify("photo.signed.jpg").status                   # doctest: +SKIP
'trusted'
"""

__version__ = "0.1.0"

from provenance import _checkout
from provenance.carriers.media import SignedBytes, sign_bytes
from provenance.carriers.text import inspect_text, sign_text, strip_file, strip_text, verify_text
from provenance.claims import ClaimTemplate, HumanClaim
from provenance.errors import (
    AlreadySigned,
    CertificateProfileError,
    IdentityError,
    InputError,
    OutputError,
    ProvenanceError,
    SigningError,
    TrustError,
    UnsupportedFormat,
    VerificationFailed,
)
from provenance.identity import Identity, IdentityInfo, check_certificate_profile
from provenance.options import Ingredient, SignOptions
from provenance.policy import (
    AllOf,
    AnyOf,
    FailOn,
    HumanOrigin,
    IngredientsIntact,
    Intact,
    IssuedBy,
    MaxAge,
    NoAIIngredient,
    OriginIn,
    Policy,
    SignerIdentity,
    TrustedSigner,
    UnsafeNoOp,
    default_policy,
)
from provenance.policyfile import PolicyError, load_policy
from provenance.report import SCHEMA_ID, Failure, IngredientReport, Report, SignerInfo
from provenance.signing import SignResult, sign
from provenance.trust import TrustStore
from provenance.verify import inspect, inspect_fragment, verify

_checkout.register()  # a source checkout's cli/ folder as provenance.cli (see _checkout)

__all__ = [
    "SCHEMA_ID",
    "AllOf",
    "AlreadySigned",
    "AnyOf",
    "CertificateProfileError",
    "ClaimTemplate",
    "FailOn",
    "Failure",
    "HumanClaim",
    "HumanOrigin",
    "Identity",
    "IdentityError",
    "IdentityInfo",
    "Ingredient",
    "IngredientReport",
    "IngredientsIntact",
    "InputError",
    "Intact",
    "IssuedBy",
    "MaxAge",
    "NoAIIngredient",
    "OriginIn",
    "OutputError",
    "Policy",
    "PolicyError",
    "ProvenanceError",
    "Report",
    "SignOptions",
    "SignResult",
    "SignedBytes",
    "SignerIdentity",
    "SignerInfo",
    "SigningError",
    "TrustError",
    "TrustStore",
    "TrustedSigner",
    "UnsafeNoOp",
    "UnsupportedFormat",
    "VerificationFailed",
    "__version__",
    "check_certificate_profile",
    "default_policy",
    "inspect",
    "inspect_fragment",
    "inspect_text",
    "load_policy",
    "sign",
    "sign_bytes",
    "sign_text",
    "strip_file",
    "strip_text",
    "verify",
    "verify_text",
]
