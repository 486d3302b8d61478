"""The anonymous feedback form (lce_utils.knowledge.feedback) and its staff report, Swedish then English. The
form's field errors shared with the mentorship forms are in common.py."""

TEXT: dict[str, tuple[str, str]] = {
    "feedback_title": ("Vad tyckte du?", "What did you think?"),
    "feedback_intro": ("Tre korta frågor, helt anonymt: vi sparar inte vem du är, din adress eller när du svarade "
                       "(bara månaden). Svaren hjälper oss att göra {about} bättre.",
                       "Three short questions, fully anonymous: we do not store who you are, your address or when "
                       "you answered (only the month). The answers help us improve {about}."),
    "feedback_about_heading": ("Gäller: {title}", "About: {title}"),
    "feedback_useful": ("Hur användbart var det? (1 = inte alls, 5 = mycket)",
                        "How useful was it? (1 = not at all, 5 = very)"),
    "feedback_hard": ("Hur svårt var det? (1 = mycket lätt, 5 = mycket svårt)",
                      "How hard was it? (1 = very easy, 5 = very hard)"),
    "feedback_what_hard": ("Vad var svårt? (valfritt)", "What was hard? (optional)"),
    "feedback_what_useful": ("Vad var mest användbart? (valfritt)", "What was most useful? (optional)"),
    "feedback_no_personal": ("Skriv inga personuppgifter i fritextfälten: inga namn, e-postadresser, telefonnummer "
                             "eller annat som visar vem du eller någon annan är. Högst {limit} tecken per fält.",
                             "Do not write personal data in the text fields: no names, e-mail addresses, phone "
                             "numbers or anything else that shows who you or someone else is. At most {limit} "
                             "characters per field."),
    "feedback_send": ("Skicka svaret", "Send the answer"),
    "feedback_thanks": ("Tack! Ditt svar är sparat, utan något som visar vem du är.",
                        "Thank you! Your answer has been saved, without anything that shows who you are."),
    "feedback_failed": ("Något gick fel när svaret skulle sparas. Försök igen om en stund; inget har sparats.",
                        "Something went wrong while saving the answer. Try again in a while; nothing was saved."),
    "feedback_bad_context": ("Den här länken till feedbackformuläret är felaktig: den anger ingen lektion, labb "
                             "eller mentorskapet som vi känner till. Använd länken i slutet av lektionen.",
                             "This link to the feedback form is wrong: it names no lesson, lab or the mentorship "
                             "that we know. Use the link at the end of the lesson."),
    "feedback_err_score": ("Välj ett värde från 1 till 5.", "Choose a value from 1 to 5."),
    "feedback_err_context": ("Okänt sammanhang.", "Unknown context."),
    "feedback_form_has_errors": ("Svaret skickades inte: rätta fälten som är markerade nedan.",
                                 "The answer was not sent: correct the fields marked below."),
    "feedback_mentorship": ("mentorskapet", "the mentorship"),
    "feedback_mentorship_title": ("Mentorskapet", "The mentorship"),
    "feedback_footer_link": ("Vad tyckte du om lektionen? Svara anonymt på tre korta frågor (öppnas i en ny flik).",
                             "What did you think of the lesson? Answer three short questions anonymously (opens "
                             "in a new tab)."),
    "feedback_unknown_context": ("okänt sammanhang {context}: se `lce knowledge feedback contexts`",
                                 "unknown context {context}: see `lce knowledge feedback contexts`"),
    # the staff report
    "feedback_answers_per_lesson": ("Svar per lektion", "Answers per lesson"),
    "feedback_report_summary": ("Anonyma svar om {contexts} lektioner, labb och mentorskapet; {shown} med minst "
                                "{k} svar.", "Anonymous answers about {contexts} lessons, labs and the mentorship; "
                                "{shown} with at least {k} answers."),
    "feedback_no_answers": ("Inga svar ännu.", "No answers yet."),
    "feedback_table": ("Svar, användbarhet och svårighet (medel 1–5) per lektion",
                       "Answers, usefulness and difficulty (mean 1-5) per lesson"),
    "feedback_col_answers": ("Svar", "Answers"),
    "feedback_col_useful": ("Användbart", "Useful"),
    "feedback_col_hard": ("Svårt", "Hard"),
    "feedback_shown_only": ("Medelvärden och fritext visas bara för lektioner med minst {k} svar som visas.",
                            "Means and free text are shown only for lessons with at least {k} answers that are "
                            "shown."),
    "feedback_report_hard": ("Vad var svårt", "What was hard"),
    "feedback_report_useful": ("Vad var användbart", "What was useful"),
}
