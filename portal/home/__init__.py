"""Each role's home page, and the registry through which areas add their panels to it."""
