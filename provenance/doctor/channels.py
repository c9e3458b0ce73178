"""The channels a file goes through on its way out, as data: what each one does to each kind
of file, with the documented limit behind every figure and where it is documented.

A channel holds one or more *copies* per kind of file (WordPress keeps the original and shows
a 1024 px resize; e-mail carries a text as an attachment or in the body). Every figure names
its source; where a platform documents none, the source says so ("not documented; commonly
reported ...", "assumed ...").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field
from typing import Literal

from provenance._record import record

__all__ = [
    "CHANNELS",
    "Channel",
    "Copy",
    "Family",
    "ImageRecipe",
    "Limit",
    "channel",
    "choose",
]

#: What kind of file a channel handles: raster images, SVG drawings, plain text (A.8),
#: structured text (Markdown, source code: A.9), HTML pages (A.7), documents (PDF, office,
#: EPUB), audio, video.
Family = Literal["image", "svg", "text", "markup", "html", "document", "audio", "video"]

#: Text steps the transforms module knows (:data:`provenance.doctor.transforms.TEXT_STEPS`).
TextStep = Literal[
    "nfc", "nfkc", "strip-invisible", "trim-lines", "crlf", "wrap-78", "reflow-80",
    "paragraphs-to-html", "sanitise-html", "rendered-text",
]


@record
class ImageRecipe:
    """What a channel does to a raster image: resize, re-encode, strip.

    Attributes:
        long_side: the longest side is brought down to this (never up); None keeps it.
        max_pixels: width x height is brought down to this (Mastodon's limit is an area).
        format: ``JPEG``, ``WEBP``, ``PNG`` or ``keep`` (the input's own format).
        quality: the encoder quality (JPEG/WebP).
        max_bytes: the quality is lowered in steps of 5 (not below 40) until the copy fits.
        keep_icc: the ICC colour profile is kept (all other metadata goes).
        unless_within: the file is kept byte for byte when its long side is at most this
            (WordPress keeps an original under its threshold); None: always re-encoded.
        strip_only: the pixels are kept and only the metadata segments/chunks are removed
            (a lossless optimiser).
        keep_png: with ``unless_within``: a PNG is kept whatever its size (WordPress 6.8).
    """

    long_side: int | None = None
    max_pixels: int | None = None
    format: Literal["JPEG", "WEBP", "PNG", "keep"] = "JPEG"
    quality: int = 85
    max_bytes: int | None = None
    keep_icc: bool = False
    unless_within: int | None = None
    strip_only: bool = False
    keep_png: bool = False


@record
class Copy:
    """One copy a channel makes of a file of some family.

    ``how`` is ``kept`` (byte for byte), ``image`` (an :class:`ImageRecipe`), ``text`` (the
    text steps, in order), ``transcode`` (audio/video re-encoded with ffmpeg) or ``refused``
    (the channel does not take this type). ``sidecar``: a ``.c2pa`` file beside the file
    travels with this copy (an attachment can be sent with it; an upload form takes one file).
    ``suffix``: the copy's file name extension when the channel changes it. ``only``: the
    copy is made only for files with these extensions (a Markdown reflow, not of code).
    """

    label: str
    how: Literal["kept", "image", "text", "transcode", "refused"]
    image: ImageRecipe | None = None
    text: tuple[TextStep, ...] = ()
    sidecar: bool = False
    suffix: str | None = None
    note: str = ""
    only: tuple[str, ...] = ()


@record
class Limit:
    """One documented figure of a channel and where it is documented."""

    what: str
    value: str
    source: str


@record
class Channel:
    """A named channel: its copies per family and the limits they follow."""

    name: str
    title: str
    kind: Literal["e-mail", "cms", "social", "messenger", "cdn", "copy-paste"]
    copies: dict[Family, tuple[Copy, ...]]
    limits: tuple[Limit, ...] = field(default=())

    def applies_to(self, family: Family) -> bool:
        """True when the channel carries files of ``family`` (a refusal counts: it is an
        answer the author needs)."""
        return family in self.copies


_KEPT_ATTACHED = Copy("attached", "kept", sidecar=True)

_WP_SOURCE = "developer.wordpress.org/reference/hooks/"
_WP_IMAGE = (
    Copy("full size", "image", ImageRecipe(long_side=2560, format="keep", quality=82,
                                           unless_within=2560, keep_png=True),
         note="the original, unless it is over the big-image threshold"),
    Copy("large (in posts)", "image", ImageRecipe(long_side=1024, format="keep", quality=82,
                                                  unless_within=1024),
         note="the size a post shows (no larger size is made than the original)"),
)

CHANNELS: tuple[Channel, ...] = (
    Channel(
        "email", "E-mail", "e-mail",
        {
            "image": (_KEPT_ATTACHED,),
            "svg": (_KEPT_ATTACHED,),
            "document": (_KEPT_ATTACHED,),
            "audio": (_KEPT_ATTACHED,),
            "video": (_KEPT_ATTACHED,),
            "text": (_KEPT_ATTACHED, Copy("in the body", "text", text=("crlf", "wrap-78"))),
            "markup": (_KEPT_ATTACHED, Copy("in the body", "text", text=("crlf", "wrap-78"))),
            "html": (_KEPT_ATTACHED, Copy("as the HTML body", "text",
                                          text=("sanitise-html",))),
        },
        (
            Limit("attachments", "25 MB per message, sent byte for byte",
                  "support.google.com/mail/answer/6584 (Gmail)"),
            Limit("plain-text body", "lines of at most 78 characters, CRLF line ends",
                  "RFC 5322 section 2.1.1 and 2.3; soft breaks as in RFC 3676 (format=flowed)"),
            Limit("HTML body", "scripts, <head> and <link> removed",
                  "assumed: a webmail sanitiser (modelled with ammonia's defaults via nh3)"),
        ),
    ),
    Channel(
        "wordpress", "CMS upload (WordPress defaults)", "cms",
        {
            "image": _WP_IMAGE,
            "svg": (Copy("upload", "refused",
                         note="SVG is not an allowed upload type by default"),),
            "document": (Copy("media library", "kept"),),
            "audio": (Copy("media library", "kept"),),
            "video": (Copy("media library", "kept"),),
            "text": (Copy("pasted into a post", "text",
                          text=("paragraphs-to-html", "sanitise-html"), suffix=".html"),),
            "markup": (Copy("pasted into a post", "text",
                            text=("paragraphs-to-html", "sanitise-html"), suffix=".html"),),
            "html": (Copy("pasted into a post", "text", text=("sanitise-html",)),),
        },
        (
            Limit("big-image threshold", "2560 px: a larger original is replaced by a "
                  "'-scaled' copy (PNG exempt since 6.8)",
                  _WP_SOURCE + "big_image_size_threshold/; core.trac.wordpress.org/changeset/"
                  "59844"),
            Limit("quality", "82", _WP_SOURCE + "wp_editor_set_quality/"),
            Limit("generated sizes", "150 (crop), 300, 768, 1024, 1536, 2048 px; posts show "
                  "'large' (1024)", "developer.wordpress.org/reference/functions/"
                  "wp_get_registered_image_subsizes/"),
            Limit("metadata", "stripped from generated sizes (ICC kept)",
                  _WP_SOURCE + "image_strip_meta/ (Imagick; GD keeps none)"),
            Limit("uploads", "SVG and .c2pa are not allowed file types",
                  "developer.wordpress.org/reference/functions/get_allowed_mime_types/"),
            Limit("post HTML", "tags outside the allowed list removed for users without "
                  "unfiltered_html", "developer.wordpress.org/reference/functions/wp_kses_post/ "
                  "(modelled with ammonia's default allowlist via nh3)"),
        ),
    ),
    Channel(
        "instagram", "Instagram (feed post)", "social",
        {
            "image": (Copy("post", "image", ImageRecipe(long_side=1080, format="JPEG",
                                                        quality=75), suffix=".jpg"),),
            "video": (Copy("post", "transcode", suffix=".mp4"),),
        },
        (
            Limit("long side", "1080 px", "help.instagram.com/1631821640426723"),
            Limit("quality", "JPEG, about 75", "not documented; commonly reported (70-80)"),
            Limit("metadata", "removed", "not documented; commonly reported"),
        ),
    ),
    Channel(
        "mastodon", "Mastodon (default server settings)", "social",
        {
            "image": (Copy("post", "image", ImageRecipe(max_pixels=8_294_400, format="keep",
                                                        quality=90, keep_icc=True)),),
            "video": (Copy("post", "transcode", suffix=".mp4"),),
            "audio": (Copy("post", "transcode", suffix=".mp3"),),
        },
        (
            Limit("image area", "8,294,400 pixels (3840x2160)",
                  "github.com/mastodon/mastodon app/models/media_attachment.rb IMAGE_STYLES"),
            Limit("quality", "90, every profile but ICC removed",
                  "media_attachment.rb GLOBAL_CONVERT_OPTIONS ('-quality 90 +profile "
                  "\"!icc,*\"'); lib/paperclip/lazy_thumbnail.rb converts every local upload"),
            Limit("video", "H.264 + AAC in MP4, metadata removed (-map_metadata -1)",
                  "media_attachment.rb VIDEO_FORMAT"),
        ),
    ),
    Channel(
        "bluesky", "Bluesky", "social",
        {
            "image": (Copy("post", "image", ImageRecipe(long_side=2000, format="JPEG",
                                                        quality=95, max_bytes=1_000_000),
                           suffix=".jpg"),),
        },
        (
            Limit("size", "1,000,000 bytes per image",
                  "github.com/bluesky-social/atproto lexicons/app/bsky/embed/images.json "
                  "(maxSize)"),
            Limit("long side", "2000 px, JPEG, quality lowered until it fits",
                  "the bluesky-social/social-app client (POST_IMG_MAX); commonly cited"),
        ),
    ),
    Channel(
        "signal", "Signal (standard media quality)", "messenger",
        {
            "image": (Copy("photo", "image", ImageRecipe(long_side=1600, format="JPEG",
                                                         quality=70, max_bytes=1 << 20),
                           suffix=".jpg"),),
            "video": (Copy("video", "transcode", suffix=".mp4"),),
            "svg": (Copy("file", "kept"),),
            "document": (Copy("file", "kept"),),
            "audio": (Copy("file", "kept"),),
            "text": (Copy("file", "kept"),),
            "markup": (Copy("file", "kept"),),
            "html": (Copy("file", "kept"),),
        },
        (
            Limit("photos", "long side 1600 px, JPEG quality 70, 1 MiB",
                  "github.com/signalapp/Signal-Android PushMediaConstraints.java "
                  "(MediaConfig.LEVEL_1) and MediaConstraints (quality 70)"),
            Limit("files", "sent byte for byte, one file per attachment",
                  "Signal sends non-media attachments as they are"),
        ),
    ),
    Channel(
        "cdn", "Image CDN (Cloudflare Polish)", "cdn",
        {
            "image": (
                Copy("lossless", "image", ImageRecipe(strip_only=True, format="keep")),
                Copy("lossy + WebP", "image", ImageRecipe(format="WEBP", quality=85),
                     suffix=".webp"),
            ),
        },
        (
            Limit("metadata", "stripped in Lossless and Lossy modes",
                  "developers.cloudflare.com/images/polish/compression/"),
            Limit("WebP", "served as WebP when smaller; quality not documented (85 assumed)",
                  "developers.cloudflare.com/images/polish/compression/"),
            Limit("Content Credentials", "kept only by Cloudflare Images with 'Preserve "
                  "Content Credentials' turned on (not Polish)",
                  "developers.cloudflare.com/images/transform-images/"
                  "preserve-content-credentials/"),
        ),
    ),
    Channel(
        "copy-paste", "Copy and paste of text", "copy-paste",
        {
            "text": (
                Copy("into an editor", "text", text=("nfc",)),
                Copy("into a web form", "text", text=("nfkc", "strip-invisible", "trim-lines")),
            ),
            "markup": (
                Copy("into an editor", "text", text=("nfc",)),
                Copy("into a web form", "text", text=("nfkc", "strip-invisible", "trim-lines")),
                Copy("after a Markdown reflow", "text", text=("reflow-80",),
                     only=(".md", ".markdown")),
            ),
            "html": (
                Copy("from the rendered page", "text", text=("rendered-text", "nfc"),
                     suffix=".txt"),
            ),
        },
        (
            Limit("editor", "NFC; every character kept, invisible ones too",
                  "the A.8 wrapper is made to survive this (C2PA 2.2 appendix A.8)"),
            Limit("web form", "NFKC, variation selectors and format characters removed, "
                  "trailing spaces trimmed", "assumed: what input sanitisers commonly do; the "
                  "A.8 wrapper lives in these characters"),
            Limit("Markdown reflow", "paragraphs re-wrapped at 80 columns",
                  "what formatters such as mdformat --wrap 80 and prettier --prose-wrap "
                  "always do"),
            Limit("rendered page", "the text a browser shows: markup gone, whitespace "
                  "collapsed", "HTML whitespace processing (CSS Text 3 white-space: normal)"),
        ),
    ),
)

_BY_NAME = {c.name: c for c in CHANNELS}


def channel(name: str) -> Channel | None:
    """The channel named ``name`` (None when there is none)."""
    return _BY_NAME.get(name)


def choose(names: Iterable[str] | None) -> tuple[Channel, ...]:
    """The channels named (comma-separated values allowed), in the order given; all of them
    for None.

    Raises:
        ValueError: an unknown name (the message lists the known ones).
    """
    if names is None:
        return CHANNELS
    wanted: list[str] = []
    for value in names:
        wanted += [n.strip().lower() for n in value.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in _BY_NAME]
    if unknown or not wanted:
        raise ValueError(f"unknown channel {', '.join(map(repr, unknown)) or '(none given)'} "
                         f"(choose from {', '.join(_BY_NAME)})")
    return tuple(_BY_NAME[n] for n in dict.fromkeys(wanted))


def names() -> Sequence[str]:
    """Every channel's name, in table order."""
    return tuple(_BY_NAME)
