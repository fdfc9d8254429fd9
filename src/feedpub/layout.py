"""Where things live in a site folder (no imports: everything may use these)."""

CONFIG_NAME = "feedpub.yaml"
ENTRIES_DIR = "entries"
OUTPUT_DIR = "output"
