"""The bank's file formats by name, for the admin's import and export and the command
line: GIFT, Aiken and the XLSX template (assessments.interchange), Moodle XML
(assessments.moodlexml)."""

from assessments.interchange import export_gift, export_xlsx, parse_aiken, parse_gift, parse_xlsx
from assessments.moodlexml import export_moodlexml, parse_moodlexml

PARSERS = {"gift": parse_gift, "aiken": parse_aiken, "xlsx": parse_xlsx,
           "moodlexml": parse_moodlexml}  # fmt: skip
EXPORTERS = {"gift": export_gift, "moodlexml": export_moodlexml, "xlsx": export_xlsx}
# What the admin's and the command's export writes: (content type, file name suffix).
DOWNLOADS = {"gift": ("text/plain; charset=utf-8", ".gift.txt"),
             "moodlexml": ("application/xml; charset=utf-8", ".moodle.xml"),
             "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      ".xlsx")}  # fmt: skip
# What an upload of each format must really be (cms.uploads, whatever the file's name): GIFT
# and Aiken are text, Moodle XML is XML text, the XLSX template an OOXML zip.
CONTENT_EXTENSIONS = {"gift": "txt", "aiken": "txt", "moodlexml": "xml", "xlsx": "xlsx"}


def format_for_name(name: str) -> str:
    """The format a file's name suggests (the admin's and the command's "auto")."""
    name = name.lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".xml"):
        return "moodlexml"
    return "aiken" if "aiken" in name else "gift"
