"""The programme register's texts (staff app, attestation, certificates, CLI, reports) and its errors, Swedish
then English."""

TEXT: dict[str, tuple[str, str]] = {
}
