"""digest: collect feeds and saved pages, group them by theme, mail a newsletter."""

__version__ = "0.1.0"
