"""Saved notes as documents: one view model (document.py), then TXT, PDF and DOCX bytes."""
