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
