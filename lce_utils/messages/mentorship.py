"""The mentorship apps' texts (sign-up, follow-up, coordinator) and their errors, Swedish then English."""

TEXT: dict[str, tuple[str, str]] = {
    # field labels
    "name": ("Namn", "Name"),
    "email": ("E-postadress", "E-mail address"),
    "organisation": ("Organisation (valfritt)", "Organisation (optional)"),
    "role": ("Roll", "Role"),
    "field": ("Område", "Field"),
    "skills_offered": ("Kunskaper du kan dela med dig av (en per rad)", "Skills you can offer (one per line)"),
    "skills_wanted": ("Kunskaper du vill utveckla (en per rad)", "Skills you want to develop (one per line)"),
    "goals": ("Dina mål med mentorskapet", "Your goals for the mentoring"),
    "languages": ("Språk du kan använda i samtalen", "Languages you can use in the conversations"),
    "availability": ("När du kan träffas", "When you can meet"),
    "municipality": ("Kommun", "Municipality"),
    "capacity": ("Antal adepter du kan ta emot (mentorer, 1–3)", "Mentees you can take on (mentors, 1-3)"),
    "consent_purpose": ("Jag samtycker till att mina uppgifter används för att matcha mig i mentorsprogrammet "
                        "(krävs)", "I agree that my data is used to match me in the mentoring programme "
                        "(required)"),
    "consent_contact": ("LCE får kontakta mig om kommande aktiviteter (valfritt)",
                        "LCE may contact me about future activities (optional)"),
    "consent_directory": ("Visa mig i programmets nätverkskatalog (valfritt)",
                          "List me in the programme's network directory (optional)"),
    "directory_notice": (
        "Nätverkskatalogen på programmets webbplats visar namn, organisation, roll, område, kommun och kunskaper "
        "hos dem som samtycker, så att deltagare i sektorn kan hitta varandra. Ingen e-postadress eller telefon "
        "visas: den som vill nå dig skriver till programkontoret med din katalogreferens, och kontoret skickar "
        "vidare. Du kan när som helst återkalla samtycket hos samordnarna; då försvinner du ur katalogen vid nästa "
        "uppdatering av webbplatsen.",
        "The network directory on the programme's website shows the name, organisation, role, field, municipality "
        "and skills of those who consent, so that people in the sector can find each other. No e-mail address or "
        "phone number is shown: whoever wants to reach you writes to the programme office quoting your directory "
        "reference, and the office passes it on. You can withdraw this consent at any time with the coordinators; "
        "you then leave the directory at the next update of the website."),
    # errors
    "err_required": ("Fältet måste fyllas i.", "This field is required."),
    "err_email": ("Ange en giltig e-postadress, till exempel namn@example.com.",
                  "Enter a valid e-mail address, for example name@example.com."),
    "err_choice": ("Välj ett av de erbjudna alternativen.", "Choose one of the options offered."),
    "err_choices": ("Välj bara bland de erbjudna alternativen.", "Choose only among the options offered."),
    "err_min_one": ("Välj minst ett alternativ.", "Choose at least one option."),
    "err_too_many": ("Högst {limit} rader.", "At most {limit} lines."),
    "err_consent": ("Vi kan bara ta emot ansökan om du samtycker.",
                    "We can only accept the application if you consent."),
    "err_bool": ("Ska vara ja eller nej.", "Must be yes or no."),
    "err_capacity": ("Ange ett heltal från 1 till 3.", "Enter a whole number from 1 to 3."),
    "err_score": ("Välj ett betyg från 1 till 5.", "Choose a score from 1 to 5."),
    "err_date_format": ("Fel format: skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-11-20.",
                        "Wrong format (expected YYYY-MM-DD), for example 2026-11-20."),
    "err_date_invalid": ("Det datumet finns inte (ÅÅÅÅ-MM-DD).", "That date does not exist (YYYY-MM-DD)."),
    "err_date_future": ("Datumet ligger i framtiden: ange dagen då träffen hölls.",
                        "The date is in the future: enter the day the meeting took place."),
    "err_date_past": ("Datumet ligger före programmets start.", "The date is before the programme started."),
    "err_minutes": ("Ange en längd mellan 5 och 600 minuter.", "Enter a length between 5 and 600 minutes."),
    "err_match_code": ("Koden och e-postadressen hör inte ihop med någon matchning.",
                       "The code and e-mail address do not belong to any match."),
    "form_has_errors": ("Ansökan skickades inte: rätta fälten som är markerade nedan.",
                        "The application was not sent: correct the fields marked below."),
    "storage_failed": ("Något gick fel när ansökan skulle sparas. Försök igen om en stund; inget har sparats.",
                       "Something went wrong while saving the application. Try again in a while; nothing "
                       "was saved."),
    # sign-up app
    "signup_title": ("Ansök till mentorsprogrammet", "Apply to the mentoring programme"),
    "signup_intro": ("Learn, Create, Engage parar ihop personer i Skånes kulturella och kreativa sektor för "
                     "mentorskap, också ömsesidigt mentorskap där båda lär av varandra. Fält markerade (krävs) "
                     "måste fyllas i.",
                     "Learn, Create, Engage pairs people in Skåne's cultural and creative sector for mentoring, "
                     "including mutual mentoring where both learn from each other. Fields marked (required) "
                     "must be filled in."),
    "language_switch": ("Språk / Language", "Språk / Language"),
    "submit": ("Skicka ansökan", "Send application"),
    "required": ("(krävs)", "(required)"),
    "privacy_title": ("Så hanterar vi dina uppgifter", "How we handle your data"),
    "privacy_notice": (
        "Vi sparar uppgifterna i formuläret för att kunna matcha dig med en mentor, adept eller "
        "mentorskollega och följa upp programmet. Rättslig grund: ditt samtycke. Bara programmets "
        "samordnare ser uppgifterna. Ansökningar raderas senast {days} dagar efter att de kom in. "
        "Du kan när som helst få ut eller radera dina uppgifter genom att kontakta samordnarna; då "
        "återkallas också ditt samtycke. Statistik från programmet publiceras bara i grupper om minst fem personer.",
        "We store the data in this form to match you with a mentor, mentee or mentoring peer and to follow "
        "up the programme. Legal basis: your consent. Only the programme's coordinators see the data. "
        "Applications are deleted at the latest {days} days after they arrived. You can get a copy of or "
        "erase your data at any time by contacting the coordinators, which also withdraws your consent. "
        "Statistics from the programme are only published in groups of at least five people."),
    "confirmation": ("Tack, {name}! Din ansökan är mottagen (nummer {id}). Vi hör av oss till {email} när "
                     "matchningen är klar.",
                     "Thank you, {name}! Your application has been received (number {id}). We will write to "
                     "{email} when the matching is done."),
    "already_received": ("Den här ansökan hade vi redan fått (nummer {id}); den sparades inte en gång till.",
                         "We had already received this application (number {id}); it was not stored again."),
    "hosted_refusal": (
        "Det här är en demonstration på en offentlig tjänst (Binder). Där sparas inga ansökningar: servern "
        "är tillfällig, delas med andra och kan inte skydda personuppgifter, och allt försvinner när sessionen "
        "tar slut. Formuläret kontrolleras som vanligt men ingenting lagras. Använd programmets riktiga "
        "adress för att ansöka.",
        "This is a demonstration on a public service (Binder). Applications are not stored there: the server "
        "is temporary, shared with others and cannot protect personal data, and everything disappears when the "
        "session ends. The form is checked as usual but nothing is stored. Use the programme's real address to "
        "apply."),
    "demo_checked": ("Formuläret är korrekt ifyllt. Inget har sparats (demonstrationsläge).",
                     "The form is filled in correctly. Nothing was stored (demonstration mode)."),
    "error_prefix": ("Fel", "Error"),
    # follow-up app
    "followup_title": ("Uppföljning av mentorskap", "Mentoring follow-up"),
    "followup_intro": ("Logga era träffar och berätta hur mentorskapet går. Du behöver din e-postadress och "
                       "koden för er matchning som du fick från samordnarna.",
                       "Log your meetings and tell us how the mentoring is going. You need your e-mail address "
                       "and the code for your match that the coordinators sent you."),
    "match_code": ("Matchningskod", "Match code"),
    "held_on": ("Datum för träffen (ÅÅÅÅ-MM-DD)", "Date of the meeting (YYYY-MM-DD)"),
    "minutes": ("Längd i minuter", "Length in minutes"),
    "session_format": ("Form", "Format"),
    "log_session": ("Spara träffen", "Save the meeting"),
    "session_saved": ("Träffen den {held_on} är sparad.", "The meeting on {held_on} has been saved."),
    "score": ("Hur nöjd är du med mentorskapet? (1 = inte alls, 5 = mycket)",
              "How satisfied are you with the mentoring? (1 = not at all, 5 = very)"),
    "comment": ("Kommentar (valfritt; visas bara för samordnarna)",
                "Comment (optional; only the coordinators see it)"),
    "send_feedback": ("Skicka omdömet", "Send feedback"),
    "feedback_saved": ("Tack för ditt omdöme!", "Thank you for your feedback!"),
    "session_heading": ("Logga en träff", "Log a meeting"),
    "feedback_heading": ("Ge ett omdöme", "Give feedback"),
    # coordinator app
    "coord_title": ("Samordning av mentorsprogrammet", "Mentoring programme coordination"),
    "filter_role": ("Filtrera på roll", "Filter by role"),
    "filter_field": ("Filtrera på område", "Filter by field"),
    "filter_text": ("Sök namn, e-post eller organisation", "Search name, e-mail or organisation"),
    "all": ("Alla", "All"),
    "refresh": ("Uppdatera", "Refresh"),
    "applications_heading": ("Ansökningar", "Applications"),
    "n_applications_one": ("{n} ansökan visas.", "{n} application shown."),
    "n_applications": ("{n} ansökningar visas.", "{n} applications shown."),
    "run_matching": ("Kör matchningen", "Run the matching"),
    "exclude_same_org": ("Para inte ihop personer från samma organisation",
                         "Do not pair people from the same organisation"),
    "matches_heading": ("Matchningar", "Matches"),
    "n_matches_one": ("{n} par i den senaste matchningen ({locked} låst).",
                      "{n} pair in the latest matching ({locked} locked)."),
    "n_matches": ("{n} par i den senaste matchningen ({locked} låsta).",
                  "{n} pairs in the latest matching ({locked} locked)."),
    "pair_id": ("Par-id", "Pair id"),
    "lock": ("Lås paret", "Lock the pair"),
    "unlock": ("Lås upp paret", "Unlock the pair"),
    "exclude": ("Uteslut paret och kör om", "Exclude the pair and re-run"),
    "export_csv": ("Exportera CSV", "Export CSV"),
    "export_xlsx": ("Exportera Excel", "Export Excel"),
    "export_done": ("Exporten är klar: {path}", "The export is ready: {path}"),
    "download": ("Ladda ned {name}", "Download {name}"),
    "person_heading": ("En persons uppgifter", "One person's data"),
    "export_person": ("Exportera personens uppgifter", "Export the person's data"),
    "erase_person": ("Radera personens uppgifter", "Erase the person's data"),
    "confirm_erase": ("Skriv RADERA för att bekräfta", "Type ERASE to confirm"),
    "erase_word": ("RADERA", "ERASE"),
    "erased_one": ("Raderade {n} post om personen.", "Erased {n} record about the person."),
    "erased": ("Raderade {n} poster om personen.", "Erased {n} records about the person."),
    "not_found": ("Ingen person med den e-postadressen.", "No person with that e-mail address."),
    "purge_heading": ("Gallring", "Retention"),
    "purge_days": ("Radera ansökningar äldre än (dagar)", "Erase applications older than (days)"),
    "purge": ("Gallra", "Purge"),
    "purged_one": ("Raderade {n} ansökan äldre än {days} dagar.", "Erased {n} application older than {days} days."),
    "purged": ("Raderade {n} ansökningar äldre än {days} dagar.",
               "Erased {n} applications older than {days} days."),
    "no_matches": ("Ingen matchning har körts ännu.", "No matching has been run yet."),
    "matching_done_one": ("Matchningen är klar: {n} par, {unmatched} utan par.",
                          "The matching is done: {n} pair, {unmatched} without a pair."),
    "matching_done": ("Matchningen är klar: {n} par, {unmatched} utan par.",
                      "The matching is done: {n} pairs, {unmatched} without a pair."),
    "kind_mentoring": ("mentorskap", "mentoring"),
    "kind_mutual": ("ömsesidigt", "mutual"),
    # table headers
    "col_id": ("Nr", "No."),
    "col_created": ("Inkom", "Received"),
    "col_mentor": ("Mentor / person A", "Mentor / person A"),
    "col_mentee": ("Adept / person B", "Mentee / person B"),
    "col_score": ("Poäng", "Score"),
    "score_of": ("{score} av {top}", "{score} of {top}"),
    "score_scale": ("Poängen visas av det högsta en matchning kan få: {mentoring} för mentorskap, {mutual} för "
                    "ömsesidigt mentorskap (där kunskaper räknas åt båda hållen).",
                    "Scores are shown out of the highest a match can get: {mentoring} for mentoring, {mutual} for "
                    "mutual mentoring (where skills count both ways)."),
    "col_why": ("Varför", "Why"),
    "col_locked": ("Låst", "Locked"),
    "col_code": ("Kod", "Code"),
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
    # reasons for a match score
    "why_language": ("gemensamt språk: {items}", "common language: {items}"),
    "why_skills": ("{who} erbjuder det {other} vill lära sig: {items}", "{who} offers what {other} wants: {items}"),
    "why_field": ("samma område: {items}", "same field: {items}"),
    "why_goals": ("liknande mål: {items}", "similar goals: {items}"),
    "why_availability": ("kan träffas samma tider: {items}", "can meet at the same times: {items}"),
    "why_municipality": ("samma kommun: {items}", "same municipality: {items}"),
    # identity: a stored e-mail sent with another name (store, identity, sign-up and coordinator)
    "code_mail_subject": ("Bekräfta din ansökan till mentorsprogrammet / Confirm your application",
                          "Bekräfta din ansökan till mentorsprogrammet / Confirm your application"),
    "code_mail_body": (
        "Någon (kanske du) har ansökt till LCE:s mentorsprogram med den här e-postadressen och namnet {name}. "
        "Om det var du: skriv koden {code} i formuläret inom {hours} timmar. Om det inte var du: gör ingenting; "
        "inget om dig har ändrats.",
        "Someone (perhaps you) applied to the LCE mentoring programme with this e-mail address and the name "
        "{name}. If it was you, enter the code {code} in the form within {hours} hours. If it was not you, do "
        "nothing; nothing about you has been changed."),
    "code": ("Kod från e-postmeddelandet", "Code from the e-mail"),
    "err_code": ("Koden stämmer inte eller har gått ut. Samordnarna granskar ansökan i stället.",
                 "The code is wrong or has expired. The coordinators will check the application instead."),
    "code_sent": ("E-postadressen finns redan hos oss. Vi har skickat en kod till den: skriv in koden nedan för "
                  "att bekräfta att ansökan är din. Utan kod granskar samordnarna ansökan först.",
                  "We already have this e-mail address. We have sent a code to it: enter the code below to "
                  "confirm the application is yours. Without the code the coordinators check it first."),
    "confirm_code": ("Bekräfta", "Confirm"),
    "code_confirmed": ("Tack, ansökan är bekräftad (nummer {id}).", "Thank you, the application is confirmed "
                       "(number {id})."),
    "pending_heading": ("Ansökningar att granska", "Applications to check"),
    "no_pending": ("Inga ansökningar väntar på granskning.", "No applications are waiting to be checked."),
    "flag_name_differs": ("samma e-post, annat namn", "same e-mail, different name"),
    "flag_organisation_differs": ("samma namn, annan organisation", "same name, different organisation"),
    "col_flag": ("Att granska", "To check"),
    "col_stored": ("Sparat namn och organisation", "Stored name and organisation"),
    "col_sent": ("Skickat i ansökan", "Sent in the application"),
    "pending_pick": ("Ansökan", "Application"),
    "decide_update": ("Godkänn och uppdatera personen", "Accept and update the person"),
    "decide_keep": ("Godkänn, behåll sparade uppgifter", "Accept, keep the stored details"),
    "decide_reject": ("Avvisa ansökan", "Reject the application"),
    "decided": ("Beslutet är sparat.", "The decision has been saved."),
    "export_streamed": ("Exporten är klar. Den sparas inte på servern: ladda ned den nu.",
                        "The export is ready. It is not kept on the server: download it now."),
    "erased_files": ("Exportfiler omskrivna: {rewritten}, raderade: {deleted}.",
                     "Export files rewritten: {rewritten}, deleted: {deleted}."),
    "purged_files": ("Utgångna exportfiler raderade: {n}.", "Expired export files deleted: {n}."),
    # the closed lists of the sign-up (lce_utils.mentorship.options), key <list>_<option>
    "role_mentor": ("Mentor", "Mentor"),
    "role_mentee": ("Adept (vill ha en mentor)", "Mentee (looking for a mentor)"),
    "role_mutual": ("Ömsesidigt mentorskap", "Mutual mentoring"),
    "field_music": ("Musik", "Music"),
    "field_visual_arts": ("Bildkonst", "Visual arts"),
    "field_performing_arts": ("Scenkonst", "Performing arts"),
    "field_film": ("Film", "Film"),
    "field_games": ("Spel", "Games"),
    "field_design": ("Design", "Design"),
    "field_literature": ("Litteratur", "Literature"),
    "field_cultural_heritage": ("Kulturarv", "Cultural heritage"),
    "field_libraries": ("Bibliotek", "Libraries"),
    "field_other": ("Annat", "Other"),
    "lang_sv": ("svenska", "Swedish"),
    "lang_en": ("engelska", "English"),
    "lang_da": ("danska", "Danish"),
    "lang_no": ("norska", "Norwegian"),
    "lang_fi": ("finska", "Finnish"),
    "lang_de": ("tyska", "German"),
    "lang_fr": ("franska", "French"),
    "lang_es": ("spanska", "Spanish"),
    "lang_ar": ("arabiska", "Arabic"),
    "lang_fa": ("persiska", "Persian"),
    "lang_pl": ("polska", "Polish"),
    "lang_bs": ("bosniska", "Bosnian"),
    "lang_hr": ("kroatiska", "Croatian"),
    "lang_sr": ("serbiska", "Serbian"),
    "lang_so": ("somaliska", "Somali"),
    "lang_ti": ("tigrinja", "Tigrinya"),
    "lang_tr": ("turkiska", "Turkish"),
    "lang_uk": ("ukrainska", "Ukrainian"),
    "lang_ru": ("ryska", "Russian"),
    "lang_se": ("nordsamiska", "Northern Sami"),
    "avail_daytime": ("Dagtid", "Daytime"),
    "avail_evenings": ("Kvällar", "Evenings"),
    "avail_weekends": ("Helger", "Weekends"),
    "format_in_person": ("På plats", "In person"),
    "format_online": ("Digitalt", "Online"),
    "format_phone": ("Telefon", "Phone"),
    # errors and server messages
    "token_too_short": ("personalens token har {length} tecken, den måste ha minst {minimum} ({env} eller --token); "
                        "skapa en", "the staff's token is {length} characters; it must be at least {minimum} ({env} "
                        "or --token); make one"),
    "not_awaiting_confirmation": ("ansökan {id} väntar inte på en bekräftelse",
                                  "application {id} is not waiting for a confirmation"),
    "not_awaiting_decision": ("ingen ansökan med nummer {id} väntar på beslut",
                              "no application {id} waiting for a decision"),
    "busy": ("för många besökare just nu; sidan försöker igen av sig själv",
             "too many visitors right now; the page retries by itself"),
    "purge_days_invalid": ("{name} måste vara ett heltal, minst 0, fick {value}",
                           "{name} must be a whole number of at least 0, got {value}"),
    "invalid_fields": ("ogiltiga fält", "invalid fields"),
    # the server's own pages (lce_utils.mentorship.pages)
    "page_audience_mentorship": ("Den här sidan är för programmets samordnare.",
                                 "This page is for the programme's coordinators."),
    "page_invitation_mentorship": ("Vill du söka till mentorsprogrammet? {link}Till ansökan{end}.",
                                   "Applying to the mentoring programme? {link}To the application form{end}."),
    "page_wrong_token": ("Fel token.", "Wrong token."),
    "page_login": ("Logga in", "Log in"),
    "page_logged_out": ("Utloggad", "Logged out"),
    "page_you_are_logged_out": ("Du är utloggad", "You are logged out"),
    "page_login_again": ("Logga in igen", "Log in again"),
    "page_busy": ("Många besökare just nu", "Many visitors right now"),
    "page_busy_body": ("Formuläret öppnas av sig självt om några sekunder; du behöver inte göra något.",
                       "The form opens by itself in a few seconds; you need not do anything."),
    "page_busy_retry": ("Nytt försök om {seconds} sekunder.", "Trying again in {seconds} seconds."),
    "page_error_403": ("Åtkomst nekad", "Access denied"),
    "page_error_404": ("Sidan finns inte", "Page not found"),
    "page_error_405": ("Det går inte att göra så här", "Method not allowed"),
    "page_error": ("Något gick fel", "Something went wrong"),
    "page_error_code": ("Felkod", "error code"),
    # `lce mentorship serve` / `lce programme serve` at start
    "serve_mentorship": ("Mentorsprogrammets appar", "Mentorship apps"),
    "serve_signup": ("ansökan", "sign-up"),
    "serve_followup": ("uppföljning", "follow-up"),
    "serve_feedback": ("synpunkter", "feedback"),
    "serve_coordinator": ("samordning (bara personal)", "coordinator (staff only)"),
    "serve_login": ("logga in med {where}; logga ut på {base}/logout", "log in with {where}; log out at {base}/logout"),
    "serve_pending_fill": ("obs: sidor som aldrig ansluter kan fylla servern tills de stoppas",
                           "note: pages that never connect can fill the server until they are stopped"),
}
