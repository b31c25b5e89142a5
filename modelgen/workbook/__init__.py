"""The workbook writer: row specs rendered to xlsxwriter formulas over an Inputs sheet."""
