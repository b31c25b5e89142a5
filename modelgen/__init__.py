"""modelgen: formula-driven, auditable Excel models of GPU-backed finance.

The library API:

- :func:`modelgen.template.load_template` reads and validates a deal template;
- :func:`modelgen.reference.run` computes the independent Python reference model;
- :func:`modelgen.build.build_workbook` writes the formula-driven workbook;
- :func:`modelgen.verify.verify_workbook` recalculates a workbook and compares it with the reference.
"""

__version__ = "0.1.0"
