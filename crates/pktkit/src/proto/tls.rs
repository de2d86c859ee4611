//! TLS records and the ClientHello (RFC 8446, RFC 6066 SNI, RFC 7301 ALPN).
