"""The catalogue: financial products and service packages the bank offers the sector."""
