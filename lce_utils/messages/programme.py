"""The programme register's texts (staff app, attestation, certificates, CLI, reports) and its errors, Swedish
then English."""

TEXT: dict[str, tuple[str, str]] = {
    # `lce programme serve` and its log-in page
    "page_audience_programme": ("Den här sidan är för programmets personal.",
                                "This page is for the programme's staff."),
    "page_invitation_programme": ("Deltagare? {link}Intyga din tid{end} med din personliga kod.",
                                  "Participant? {link}Attest your time{end} with your personal code."),
    "serve_programme": ("Programregistret", "Programme register"),
    "serve_attest": ("intyga tid (deltagare, med sin personliga kod)",
                     "attestation (participants, with their personal code)"),
    "serve_staff": ("personal (bara personal)", "staff (staff only)"),
}
