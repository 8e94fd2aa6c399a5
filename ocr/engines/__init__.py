"""OCR engines behind one Protocol, picked from a plain registry dict."""
