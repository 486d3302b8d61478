"""The courses' texts: learners' feedback pages, self-checks and validation, the grader's notes and errors,
Swedish then English."""

TEXT: dict[str, tuple[str, str]] = {
    # feedback pages (lce_utils.courses.feedback)
    "fb_hidden_checks_ran": ("Dolda kontroller kördes här; koden visas inte.",
                             "Hidden checks ran here; their code is not shown."),
    "fb_after_hidden": ("Utdata från celler som kördes efter den första dolda kontrollen visas inte här (de skulle "
                        "kunna återge de dolda kontrollerna); de finns kvar i din egen notebook.",
                        "Outputs of cells that ran after the first hidden check are not shown here (they could "
                        "repeat the hidden checks); your own notebook still has them."),
    "fb_not_sandboxed": ("Den här inlämningen rättades utan rättningens sandlåda (--no-sandbox): din kod kördes utan "
                         "isolering på kursledarens dator. Kursledaren bör granska resultatet.",
                         "This submission was graded without the grading sandbox (--no-sandbox): your code ran "
                         "unconfined on the course leader's computer. The course leader should review the result."),
    "fb_passed": ("godkänd", "passed"),
    "fb_failed": ("underkänd", "failed"),
    "fb_hidden_check": ("dold kontroll", "hidden check"),
    "fb_visible_check": ("synlig kontroll", "visible check"),
    "fb_late": ("Sen inlämning: {penalty} poäng avdrag.", "Late submission: {penalty} points deducted."),
    "fb_feedback": ("Återkoppling", "Feedback"),
    "fb_learner": ("Deltagare", "Learner"),
    "fb_assignment": ("Uppgift", "Assignment"),
    "fb_hidden_explained": ("Vissa kontroller är **dolda**: de kördes vid rättningen men visas inte, så att de prövar "
                            "din förståelse och inte bara exemplen. Nedan ser du vilka som inte gick igenom och "
                            "varför.",
                            "Some checks are **hidden**: they ran when your work was graded but are not shown, so "
                            "that they test your understanding rather than the examples. Below you see which of "
                            "them failed and why."),
    "fb_check": ("Kontroll", "Check"),
    "fb_points": ("Poäng", "Points"),
    "fb_result": ("Resultat", "Result"),
    "fb_comments": ("Kommentarer", "Comments"),
    "fb_score": ("Poäng: {score} av {max_score}", "Score: {score} of {max_score}"),
    "fb_not_rendered": ("Din notebook kunde inte visas här, så sidan visar bara dina resultat.",
                        "Your notebook could not be shown here, so this page lists your results only."),
    # the grader's notes in graded notebooks (lce_utils.courses.integrity, output_cap)
    "grade_cell_passed": ("Godkänd: alla kontroller i cellen gick igenom. Utdata från celler med dolda kontroller "
                          "visas inte.",
                          "Passed: all checks of this cell succeeded. Output of cells with hidden checks is not "
                          "shown."),
    "grade_invalid_output": ("En utdata som inte är giltig notebook-data togs bort.",
                             "An output that is not valid notebook data was dropped."),
    "grade_not_trusted": ("Kontrollen rättades inte automatiskt: notebooken ändrade hur Python kör kod ({reason}). "
                          "En lärare bedömer den för hand.",
                          "This check was not graded automatically: the notebook changed how Python runs code "
                          "({reason}). A teacher will grade it by hand."),
    "grade_checked_line": ("Kontrollerat på rad {line} i testcellen", "Checked at line {line} of the test cell"),
    "grade_stderr": ("cellen skrev till felströmmen (stderr)", "the cell wrote to the error stream"),
    "grade_truncated": ("Utdata avkortad: mer än {limit} utdata", "Output truncated: more than {limit} of output"),
    "grade_not_sandboxed": ("INTE I SANDLÅDA: deltagarnas kod kördes utan isolering, som denna användare",
                            "NOT SANDBOXED (--no-sandbox): learners' code ran unconfined, as this user"),
    # lessons' checks (lce_utils.courses.checks)
    "check_language": ("språket ska vara ett av {languages}, inte {code}",
                       "language must be one of {languages}, not {code}"),
    "check_not_done": ("Inte klart än", "Not done yet"),
    # lessons' chi-squared test (lce_utils.courses.significance)
    "chi2_not_table": ("tabellen ska vara rader med antal, till exempel [[21, 399], [37, 373]]",
                       "the table must be rows of counts, for example [[21, 399], [37, 373]]"),
    "chi2_too_small": ("tabellen behöver minst två rader och två kolumner",
                       "the table needs at least two rows and two columns"),
    "chi2_ragged": ("alla rader i tabellen ska ha lika många kolumner",
                    "every row of the table must have the same number of columns"),
    "chi2_not_count": ("rad {row}, kolumn {column}: {value} är inget antal (ett tal som är 0 eller större)",
                       "row {row}, column {column}: {value} is not a count (a number 0 or greater)"),
    "chi2_empty_row": ("rad {row} är bara nollor: då går det inte att jämföra",
                       "row {row} is all zeros: there is nothing to compare"),
    "chi2_empty_column": ("kolumn {column} är bara nollor: då går det inte att jämföra",
                          "column {column} is all zeros: there is nothing to compare"),
    # validation (lce_utils.courses.validate)
    "val_not_answered": ("inte besvarad än", "not answered yet"),
    "val_name_missing": ("namnet {name} finns inte än: skriv svaret i svarscellen ovan och kör den (Shift+Enter)",
                         "the name {name} does not exist yet: write your answer in the answer cell above and run it "
                         "(Shift+Enter)"),
    "val_partly_right": ("delvis rätt: några men inte alla kontroller gick igenom",
                         "partly right: some but not all of the checks passed"),
    "val_code_stub": ("Skriv ditt svar här", "Write your answer here"),
    "val_text_stub": ("Skriv ditt svar här.", "Write your answer here."),
    "val_exercise": ("Övning", "Exercise"),
    "val_an_error": ("ett fel", "an error"),
    "val_not_a_notebook": ("{path}: ingen anteckningsbok (.ipynb)", "{path}: not a notebook file (.ipynb)"),
    "val_unreadable": ("{path}: filen kan inte läsas som anteckningsbok ({error}); ladda ner den igen",
                       "{path}: cannot be read as a notebook ({error}); download it again"),
    "val_type_changed": ("{n} cell(er) har bytt typ (till exempel från kod till text). Ändra tillbaka dem eller "
                         "börja om från en ny kopia.",
                         "{n} cell(s) changed type (e.g. code to text). Change them back or start from a fresh "
                         "copy."),
    "val_changed": ("{n} cell(er) som inte ska ändras har ändrats: originalet används vid rättningen.",
                    "{n} cell(s) you should not edit were changed: the original will be used when grading."),
    "val_missing_answers": ("{n} svar saknas än:", "{n} answer(s) still missing:"),
    "val_written_missing": ("ett skriftligt svar saknas", "a written answer is still missing"),
    "val_text_cell": ("textcell", "text cell"),
    "val_unanswered": ("inte besvarad", "not answered yet"),
    "val_answer_cell": ("svarscell", "answer cell"),
    "val_failed_checks": ("{n} kontroll(er) gick inte igenom än:", "{n} check(s) did not pass yet:"),
    "val_read_message": ("Läs meddelandet under kontrollcellen, ändra svaret ovanför den och kör båda cellerna igen.",
                         "Read the message under the check cell, change the answer above it and run both cells "
                         "again."),
    "val_all_passed": ("Alla synliga kontroller gick igenom.", "All visible checks passed."),
    "val_hidden_count": ("Obs: {n} kontrollcell(er) har även DOLDA tester som inte kördes här. Kursledaren kör dem "
                         "vid rättningen, så att allt går igenom här är ingen garanti för full poäng.",
                         "Note: {n} check cell(s) also contain HIDDEN tests that were not run here; your course "
                         "leader runs them when grading, so passing here does not guarantee full points."),
    "val_hidden_maybe": ("Obs: kursledaren kan även köra dolda tester som inte kördes här; de körs vid rättningen.",
                         "Note: your course leader may also run hidden tests that were not run here; they run when "
                         "grading."),
    # the self-check cell (lce_utils.courses.selfcheck)
    "self_which_notebook": ("Jag kan inte avgöra vilken notebook det här är. Spara den (Ctrl+S) och öppna den igen "
                            "från filläsaren till vänster.",
                            "I cannot tell which notebook this is. Save it (Ctrl+S) and open it again from the file "
                            "browser on the left."),
    "self_not_a_lesson": ("Den här cellen fungerar i en lektion från kursen (en notebook i courses/release/).",
                          "This cell works in a lesson of the course (a notebook in courses/release/)."),
    "self_unsaved": ("Obs: notebooken verkar ha ändringar som inte är sparade. Spara (Ctrl+S) och kör cellen igen, "
                     "annars gäller svaret den senast sparade versionen.",
                     "Note: the notebook seems to have changes that are not saved. Save (Ctrl+S) and run the cell "
                     "again; otherwise the answer is about the version saved last."),
    "self_timeout": ("Kontrollen tog mer än {minutes} minuter och avbröts. Finns det en cell som aldrig blir klar "
                     "(en oändlig loop)? Rätta den, spara och försök igen.",
                     "The check took more than {minutes} minutes and was stopped. Is there a cell that never "
                     "finishes (an endless loop)? Fix it, save and try again."),
    "self_could_not_run": ("Kontrollen kunde inte köras just nu. Spara notebooken, välj Kernel → Restart Kernel och "
                           "försök igen; fråga kursledaren om det inte hjälper.",
                           "The check could not run just now. Save the notebook, choose Kernel → Restart Kernel and "
                           "try again; ask your course leader if that does not help."),
    "self_in_jupyterlab": ("Kontrollen körs när du kör cellen i JupyterLab.",
                           "The check runs when you run this cell in JupyterLab."),
    "self_failed": ("Kontrollen kunde inte köras ({error}). Spara och försök igen; fråga kursledaren om det inte "
                    "hjälper.",
                    "The check could not run ({error}). Save and try again; ask your course leader if that does "
                    "not help."),
    # saving the lesson's work (lce_utils.courses.savework)
    "save_too_big": ("Filerna i lektionens mapp är tillsammans {total} MB, mer än de {limit} MB som ryms i en "
                     "nedladdning. De största: {names}. Ladda ner dem var för sig (högerklicka i filläsaren till "
                     "vänster och välj Ladda ner) eller ta bort filer du inte behöver, och kör cellen igen.",
                     "The files in the lesson's folder add up to {total} MB, more than the {limit} MB one download "
                     "holds. The largest: {names}. Download them one by one (right-click in the file browser on "
                     "the left and choose Download) or delete files you do not need, and run the cell again."),
    "save_link": ("Ladda ner {name}", "Download {name}"),
    "save_link_note": ("{count} filer, {size} MB: notebooken och filerna i lektionens mapp.",
                       "{count} files, {size} MB: the notebook and the files in the lesson's folder."),
    "save_no_notebook": ("Hittar inte notebooken {name}. Spara den först (Ctrl+S).",
                         "Cannot find the notebook {name}. Save it first (Ctrl+S)."),
    # errors of the course leader's commands
    "err_cohort_date": ("{path}: {where}: {value} är inte ett datum som '2026-03-01 23:59:00'",
                        "{path}: {where}: {value} is not a date like '2026-03-01 23:59:00'"),
    "hub_not_installed": ("inte installerad", "NOT installed"),
    "err_hub_root": ("lce hub setup skapar Unix-användare och utbytesmappen: kör som root (eller med --dry-run)",
                     "lce hub setup creates Unix users and the exchange: run it as root (or with --dry-run)"),
    "err_roster_unreadable": ("{path}: kan inte läsa deltagarlistan som UTF-8-CSV ({error})",
                              "{path}: cannot read the roster as UTF-8 CSV ({error})"),
    "err_roster_header": ("{path}: rad 1: kolumnen 'learner' (och {columns}) saknas i rubrikraden",
                          "{path}: row 1: expected a header with the column 'learner' (and {columns})"),
    "err_roster_no_learner": ("{path}: rad {row}: kolumnen 'learner' är tom",
                              "{path}: row {row}: column 'learner' is empty"),
    "err_roster_twice": ("{path}: rad {row}: deltagaren {learner} finns två gånger",
                         "{path}: row {row}: learner {learner} is listed twice"),
    "err_roster_empty_column": ("{path}: rad {row}: kolumnen {columns} är tom; {lms} behöver den för att hitta "
                                "deltagaren",
                                "{path}: row {row}: column {columns} is empty; {lms} needs it to find the learner"),
    "err_roster_unlisted": ("rättade deltagare som saknas i deltagarlistan: {learners}",
                            "graded learners missing from the roster: {learners}"),
    "err_rings_size": ("storlek och antal måste vara positiva", "size and count must be positive"),
    "err_no_bwrap": ("bubblewrap (`bwrap`) saknas, så inlämningar kan inte rättas i en sandlåda: installera den "
                     "(Debian/Ubuntu: apt-get install bubblewrap) eller ange --no-sandbox för att rätta utan "
                     "isolering",
                     "bubblewrap (`bwrap`) is not installed, so learners' notebooks cannot be graded in a sandbox: "
                     "install it (Debian/Ubuntu: apt-get install bubblewrap), or pass --no-sandbox to grade without "
                     "containment"),
    "err_bwrap_fails": ("bubblewrap ({found}) kan inte skapa en sandlåda på den här datorn ({error}); user "
                        "namespaces kan vara avstängda. Slå på dem eller ange --no-sandbox",
                        "bubblewrap ({found}) cannot make a sandbox on this machine ({error}); user namespaces may "
                        "be disabled. Enable them, or pass --no-sandbox"),
    # the curriculum tables (lce_utils.courses.curriculum)
    "cur_course": ("Kurs", "Course"),
    "cur_minutes": ("Minuter", "Minutes"),
    "cur_by_hand": ("manuellt", "by hand"),
    "cur_lessons": ("lektioner", "lessons"),
    "cur_all_courses": ("Alla kurser", "All courses"),
    "cur_time": ("Tid", "Time"),
}
