"""How a path or a name is written into outputs (source_file, the manifest, messages, the lock):
readable text whatever bytes the name holds, and no e-mail address in it (docs/privacy.md, "File
names"). Names are keys here (a run keys its inputs by them), so an address becomes a token that
keeps two names apart instead of the one `[email]` the redactor writes in free text.
"""

from __future__ import annotations

import hashlib

from pipelines.ingest.redact import EMAIL

NAME_EMAIL_TOKEN = "[email-"


def without_emails(text: str) -> str:
    """A message of ours that names paths or URLs (a lock, a data root, an object store's error)
    with every e-mail address in it replaced by a token, its URL-encoded form (`jane%40example.com`,
    as a client library prints a key) included: review 12 found the addresses of folder names in
    the lock and object-store messages."""
    if "@" not in text and "%40" not in text:
        return text
    return EMAIL.sub(lambda m: _name_token(m.group().replace("%40", "@")), text)


def _name_token(address: str) -> str:
    return NAME_EMAIL_TOKEN + hashlib.sha256(address.encode()).hexdigest()[:8] + "]"


def displayable(path: str) -> str:
    """`path` as text every output can hold: the bytes of a name that are not UTF-8 written as
    `\xe9` (`notes-caf\xe9.jsonl`), so the file is still named, and refused or read, not lost."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return path.encode("utf-8", "backslashreplace").decode("utf-8")
    return path


def shown_path(path: str) -> str:
    """A file's path as written into outputs (source_file, the manifest, messages): readable
    text (`displayable`) with any e-mail address in it replaced by a token that keeps names
    apart (`notes-jane@example.com.jsonl` -> `notes-[email-3c1f0a9e].jsonl`: the first 8 hex of
    the sha256 of the name it was in). Two files named after two addresses stay two files: the
    run keys its inputs' hashes and its incremental state by these names, and one `[email]` for
    both made a changed file look unchanged and never read."""
    path = displayable(path)
    if "@" not in path:
        return path
    *folders, name = path.split("/")
    return "/".join([*(_without_email(f, False) for f in folders), _without_email(name, True)])


def shown_folder(path: str) -> str:
    """A folder's path as written into outputs (the manifest's inputs_root, messages): as
    `shown_path`, every part of it a folder name (`in_jane@example.com` keeps no `.com`)."""
    path = displayable(path)
    if "@" not in path:
        return path
    return "/".join(_without_email(part, False) for part in path.split("/"))


def _without_email(part: str, is_file: bool) -> str:
    """One part of a path with its e-mail addresses replaced; a file name keeps its extension
    (the address pattern would take `.jsonl` for the end of a domain)."""
    if "@" not in part:
        return part
    token = NAME_EMAIL_TOKEN + hashlib.sha256(part.encode()).hexdigest()[:8] + "]"
    stem, dot, suffix = part.rpartition(".") if is_file and "." in part else (part, "", "")
    return EMAIL.sub(token, stem) + dot + suffix
