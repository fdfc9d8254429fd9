"""Reading entry and config files: bytes to checked YAML node trees."""
