"""The rules of the workshop: no file formats, no storage, no Textual."""
