"""District indicators against plan, savings-group ratings and their roll-ups."""
