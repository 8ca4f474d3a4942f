"""graddesc: the machinery of the graddesc course, one idea per file.

Notebooks and tests import `graddesc_utils` (beside this folder), which maps the course's vocabulary to these
modules. Importing the package itself loads nothing: `import graddesc.engine` needs numpy only.
"""
