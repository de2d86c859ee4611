//! HTTP/1.x start lines and the headers people grep for.
