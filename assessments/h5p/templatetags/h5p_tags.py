"""The tags of the lesson page's H5P block, under the name its template loads: one library
with the SCORM block's (assessments/templatetags/framed_activity_tags.py)."""

from assessments.templatetags.framed_activity_tags import register  # noqa: F401
