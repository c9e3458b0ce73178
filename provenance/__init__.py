"""Sign human-made files with C2PA manifests that declare human origin, and verify them.

>>> import provenance
>>> identity = provenance.Identity.default()  # or .load(DIR, password=None)  # doctest: +SKIP
>>> provenance.sign("photo.jpg", identity=identity).output          # doctest: +SKIP
PosixPath('photo.signed.jpg')
>>> provenance.verify("photo.signed.jpg").status                     # doctest: +SKIP
'trusted'

(In the folder ``make try`` makes, after ``provenance identity create``: see README.md.)
"""

__version__ = "0.1.0"

import sys

from provenance import _checkout, _lazy

#: typing.TYPE_CHECKING without importing typing (which costs more than the rest of this
#: module): type checkers treat any name TYPE_CHECKING as true.
TYPE_CHECKING = False

if TYPE_CHECKING:  # what type checkers see; at run time each name loads on first use
    from provenance.carriers.media import SignedBytes, sign_bytes
    from provenance.carriers.text import (
        inspect_text,
        sign_text,
        strip_file,
        strip_text,
        verify_text,
    )
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

#: Public name -> the module that defines it. ``import provenance`` loads none of them (nor
#: c2pa, Pillow or cryptography): the CLI's --version and --help stay cheap, and a verb loads
#: only what it uses. Each name is imported on first access (PEP 562) and then cached.
_LAZY: dict[str, str] = {
    "SignedBytes": "provenance.carriers.media",
    "sign_bytes": "provenance.carriers.media",
    "inspect_text": "provenance.carriers.text",
    "sign_text": "provenance.carriers.text",
    "strip_file": "provenance.carriers.text",
    "strip_text": "provenance.carriers.text",
    "verify_text": "provenance.carriers.text",
    "ClaimTemplate": "provenance.claims",
    "HumanClaim": "provenance.claims",
    "AlreadySigned": "provenance.errors",
    "CertificateProfileError": "provenance.errors",
    "IdentityError": "provenance.errors",
    "InputError": "provenance.errors",
    "OutputError": "provenance.errors",
    "ProvenanceError": "provenance.errors",
    "SigningError": "provenance.errors",
    "TrustError": "provenance.errors",
    "UnsupportedFormat": "provenance.errors",
    "VerificationFailed": "provenance.errors",
    "Identity": "provenance.identity",
    "IdentityInfo": "provenance.identity",
    "check_certificate_profile": "provenance.identity",
    "Ingredient": "provenance.options",
    "SignOptions": "provenance.options",
    "AllOf": "provenance.policy",
    "AnyOf": "provenance.policy",
    "FailOn": "provenance.policy",
    "HumanOrigin": "provenance.policy",
    "IngredientsIntact": "provenance.policy",
    "Intact": "provenance.policy",
    "IssuedBy": "provenance.policy",
    "MaxAge": "provenance.policy",
    "NoAIIngredient": "provenance.policy",
    "OriginIn": "provenance.policy",
    "Policy": "provenance.policy",
    "SignerIdentity": "provenance.policy",
    "TrustedSigner": "provenance.policy",
    "UnsafeNoOp": "provenance.policy",
    "default_policy": "provenance.policy",
    "PolicyError": "provenance.policyfile",
    "load_policy": "provenance.policyfile",
    "SCHEMA_ID": "provenance.report",
    "Failure": "provenance.report",
    "IngredientReport": "provenance.report",
    "Report": "provenance.report",
    "SignerInfo": "provenance.report",
    "SignResult": "provenance.signing",
    "sign": "provenance.signing",
    "TrustStore": "provenance.trust",
    "inspect": "provenance.verify",
    "inspect_fragment": "provenance.verify",
    "verify": "provenance.verify",
}


def __getattr__(name: str) -> object:
    return _lazy.attribute(globals(), _LAZY, name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


# ``provenance.verify`` is a function and also the name of a submodule: the function keeps the
# name when the submodule is imported, as it did when it was imported eagerly.
sys.modules[__name__].__class__ = _lazy.Package


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
