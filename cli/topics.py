"""``provenance help TOPIC``: the reference pages a man page would hold, one per topic."""

from __future__ import annotations

from provenance import _home

_IDENTITY = """\
An identity is a folder: PROVENANCE_HOME/identity, else the platform's user data directory
(~/.local/share/provenance/identity on Linux); --identity DIR / --dir DIR elsewhere.

  key.pem        the signing key (PKCS#8, mode 0600; encrypted when PROVENANCE_KEY_PASSWORD
                 was set, or a passphrase typed, when it was made)
  chain.pem      the signing certificate, then its issuers (end-entity first)
  root.pem       the local root CA that issued it (`identity create`); trusted in this home
  root.key       that root's private key (mode 0600, encrypted like key.pem): keep it to
                 renew the certificate; never share it
  identity.json  what `identity show` prints (subject, issuer, algorithm, fingerprint, expiry)

Commands:
  provenance identity create --name NAME [--email E] [--org O] [--alg es256|es384|ps256|ed25519]
  provenance identity show [--json]
  provenance identity csr --name NAME [--out-dir DIR]   request.csr + key.pem for a real CA
  provenance identity import --cert CHAIN.pem --key KEY.pem   a certificate a CA issued
  provenance identity renew [--days N]                  a new certificate from root.key

From Python: Identity.default() loads this folder, Identity.load(DIR, password=None) another
(`~` is expanded; password None falls back to PROVENANCE_KEY_PASSWORD).
"""

_EXIT_CODES = """\
  0  every file passed (verify), was signed or skipped (sign), or was read (inspect)
  1  a file failed verification or the policy
  2  bad usage or unreadable input (a missing file, a typo in an option or a policy file)
  3  an operational failure (a file could not be written, the signer failed)
130  interrupted (Ctrl-C): files in hand were finished, no report was written
"""

_ENVIRONMENT = """\
  PROVENANCE_HOME               the folder holding identity/, trust/, tsa/ and config.toml
  PROVENANCE_KEY_PASSWORD       the key's passphrase (never a command-line argument)
  PROVENANCE_KEY_PASSWORD_FILE  a file holding it (a CI secret; also read by Dask workers)
  PROVENANCE_TSA_URL            the timestamp authority `sign` uses (--tsa wins)
  PROVENANCE_REGISTRY_LOOKUP    more registries for lookups (DSNs, comma-separated)
  PROVENANCE_REGISTRY_TOKEN     the bearer token for --registry https://... (or --token)
  PROVENANCE_DEBUG              set to show the traceback of an unexpected error
  PROVENANCE_ALLOW_LOOSE_PERMISSIONS  set to 1 to accept key and trust files others can
                                read or write (a shared CI runner)
  NO_COLOR                      set to turn colours off (they are never used in pipes)
"""

_TRUST = """\
A signer is trusted when its certificate chains to a trust anchor. Anchors are PEM files in
PROVENANCE_HOME/trust; your own identity's root is added when you create it.

  provenance trust add ROOT.pem [--name NAME]   a colleague's root, your organisation's CA,
                                                or a C2PA trust list (PEM, JSON or its URL)
  provenance trust list [--json]
  provenance trust remove NAME
  provenance verify FILE --trust ROOT.pem       for one run only

A valid signature whose signer is not trusted passes verify as "valid, signer not trusted";
--require-trusted (or a policy file's [trust]) makes it a failure.
"""

_TSA = """\
A timestamp keeps a signature valid after the signing certificate expires.

  provenance tsa init [--dir DIR] [--name NAME]   a timestamp authority of your own
  provenance tsa serve [--dir DIR] [--port P]     serve it over HTTP (RFC 3161)
  provenance sign FILE --tsa http://127.0.0.1:3161/

Verifiers trust its timestamps with `provenance trust add TSA-DIR/root.pem`.
"""

_CARRIERS = """\
Where a manifest lives (`sign --carrier`; the default comes from the file type):

  embedded      images, PDF, office documents, audio, video: c2pa-rs embeds it
  unstructured  plain text: invisible characters at the end (C2PA A.8)
  structured    Markdown, source code: a comment block or front matter (A.9)
  html          HTML: <script type="application/c2pa"> in <head> (A.7)
  link          HTML: <link rel="c2pa-manifest" href=URL> and a .c2pa file to publish there
  sidecar       any file: NAME.EXT.c2pa beside it, the file itself unchanged (JSON default)

A .c2pa file found in a folder travels with its asset; one named on its own is judged.
"""

_SCHEMAS = """\
Every JSON document names its schema (the JSON Schemas ship in provenance/schemas/):

  provenance.report/v1        one file (verify --jsonl, inspect --jsonl)
  provenance.results/v1       verify --json / --output: every report, passed, summary
  provenance.inspect/v1       inspect --json: every report, no verdict
  provenance.sign/v1          sign --jsonl: one line per file
  provenance.sign-results/v1  sign --json / --report
  provenance.doctor/v1        doctor --json: what survives each channel, per file
  provenance.publish/v1       publish --json: every file's outcome in the run
  provenance.publication/v1   the publication index .well-known/c2pa/publication.json
"""


def _config() -> str:
    lines = [f"Settings live in {_home.config_file()} (PROVENANCE_HOME/config.toml):", ""]
    for table, keys in _home.CONFIG_KEYS.items():
        lines.append(f"  [{table}]")
        for key, (_, what) in keys.items():
            lines.append(f"  {key:14} {what}")
    lines += ["", "An unknown table or key, or a value of the wrong type, is an error that",
              "names the file and the key (exit 2)."]
    return "\n".join(lines) + "\n"


TOPICS: dict[str, tuple[str, str]] = {
    "identity": ("the identity folder, its files and commands", _IDENTITY),
    "trust": ("trust anchors: who is trusted, and how to add them", _TRUST),
    "config": ("config.toml and its settings", ""),
    "environment": ("environment variables", _ENVIRONMENT),
    "exit-codes": ("what each exit code means", _EXIT_CODES),
    "carriers": ("where a manifest lives in each kind of file", _CARRIERS),
    "schemas": ("the JSON documents and their schemas", _SCHEMAS),
    "tsa": ("timestamps and a timestamp authority of your own", _TSA),
}


def page(topic: str) -> str | None:
    """The text of one topic, or None for an unknown one."""
    if topic not in TOPICS:
        return None
    return _config() if topic == "config" else TOPICS[topic][1]


def index() -> str:
    """The list of topics."""
    width = max(map(len, TOPICS))
    rows = [f"  {name:{width}}  {what}" for name, (what, _) in TOPICS.items()]
    return "Topics (provenance help TOPIC):\n" + "\n".join(rows) + "\n" + \
        "Commands: provenance COMMAND -h (sign, verify, inspect, doctor, publish, strip, " \
        "serve, identity, trust, tsa, registry)\n"
