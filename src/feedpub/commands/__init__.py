"""The commands beyond build: authoring, serving, WebSub, schemas, and their CLI."""
