"""Building: scan the entry files, compile what changed, plan and write the outputs."""
