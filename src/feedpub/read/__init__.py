"""Reading: feedpub.yaml and entry files into the checked model."""
