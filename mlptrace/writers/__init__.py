"""Writers: the only modules that touch a file format (xlsx through openpyxl, pdf through LibreOffice)."""
