"""Suksa (ศึกษา): an open platform for a national basic-education system."""
