"""Users, organisations, roles and portfolios; login, invitations and their administration."""
