# nbgrader configuration for the LCE course. `lce courses ...` loads this file and then sets the course root,
# the sandboxed kernel and the time-out itself (see lce_utils/courses/config.py).
c = get_config()  # noqa: F821 (provided by traitlets when the file is loaded)

c.CourseDirectory.course_id = "lce"
c.CourseDirectory.assignment_id = ""
# Files that are not copied from the source folder into the release or the autograded folders.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "my-sounds", "*.wav"]

# Learners' notebooks may print a lot: keep at most this many lines of output per cell when grading.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 40

# Late submissions: a share of the notebook's score off per started day late, up to a cap.
# (nbgrader's own plugin offers only "none" or "zero".) Due dates are in courses/course.yaml.
c.AssignLatePenalties.plugin_class = "lce_utils.courses.late.PercentPerDayLate"
c.PercentPerDayLate.percent_per_day = 10.0
c.PercentPerDayLate.max_percent = 50.0

# Released answer cells: a comment line in both languages (no `raise NotImplementedError()`: learners are not
# programmers); each test cell first checks that the names it uses exist, so an unanswered cell scores 0.
from lce_utils.courses.validate import CODE_STUB, TEXT_STUB  # noqa: E402 (validate recognises them)

c.ClearSolutions.code_stub = {"python": CODE_STUB}
c.ClearSolutions.text_stub = TEXT_STUB

# Every released lesson ends with the same footer: how to save and download your work, one download of everything
# the lesson made, and "Check my work" (courses/footer.ipynb; bilingual, split into the two versions on release).
# A copy of the course without it (lce_utils.courses.config.copy_course) uses the checkout's.
from pathlib import Path  # noqa: E402

_footer = Path(__file__).resolve().with_name("footer.ipynb")
if not _footer.exists():
    _footer = Path(__import__("lce_utils").__file__).resolve().parent.parent / "courses" / "footer.ipynb"
if _footer.exists():
    c.IncludeHeaderFooter.footer = str(_footer)
