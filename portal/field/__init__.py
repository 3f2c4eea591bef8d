"""Field work: credit officers prepare their savings groups, record group meetings offline and
send them when the connection returns."""
