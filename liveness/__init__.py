"""Face match against the ID-card photo, challenge-response liveness and attack cues.

Pure computer vision: NumPy arrays and dataclasses in, a verdict out. No web framework, no
database; models are loaded lazily from the installed face_recognition_models package.
"""
