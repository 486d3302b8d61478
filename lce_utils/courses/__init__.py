"""Graded notebook courses: nbgrader release, parallel autograding, feedback, exports and learner checks."""
