"""Calibration of the field readers' confidence on generated samples."""
