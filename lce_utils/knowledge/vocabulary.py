"""Words that mark a table in a case as about people: input vocabulary (captions and headers authors write, in
Swedish or English), not messages."""

import re

# A table is about people when its caption or a header says so; its count columns are those whose header does.
PEOPLE = re.compile(r"(?i)deltagar|besökar|personer|person\b|publik|elev|lärande|mentor|adept|kvinn|män\b|"
                    r"participant|visitor|people|person|learner|student|audience|attendee|women|men\b|member|"
                    r"medlem|antal|count|number of|\bn\b")
