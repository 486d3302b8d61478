"""Texts shared by the whole package (settings and other top-level modules), Swedish then English."""

TEXT: dict[str, tuple[str, str]] = {
    "setting_whole_days": ("ett helt antal dagar förväntades, fick {raw}",
                           "expected a whole number of days, got {raw}"),
    "setting_whole_years": ("ett helt antal år förväntades, fick {raw}", "expected a whole number of years, got {raw}"),
    "setting_flag": ("1 eller 0 förväntades, fick {raw}", "expected 1 or 0 (true/false, yes/no), got {raw}"),
    "setting_choice": ("ett av {allowed} förväntades, fick {raw}", "expected {allowed}, got {raw}"),
    "setting_date": ("ett datum ÅÅÅÅ-MM-DD förväntades, fick {raw}", "expected a date as YYYY-MM-DD, got {raw}"),
    # field errors every form shares (the mentorship forms, the anonymous feedback form)
    "err_too_long": ("Högst {limit} tecken.", "At most {limit} characters."),
    "err_control": ("Innehåller otillåtna tecken.", "Contains characters that are not allowed."),
    "err_type": ("Fel typ av värde.", "Wrong kind of value."),
    "err_unknown": ("Okänt fält.", "Unknown field."),
}
