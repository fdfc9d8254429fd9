"""Reading what other tools wrote, so a blog can move to feedpub without retyping it."""
