"""The WSGI entry point for production servers (`casebook.wsgi:app`); settings come from CASEBOOK_*."""
from . import create_app

app = create_app()
