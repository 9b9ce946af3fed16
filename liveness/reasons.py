"""Every reason code the library can give, with words (English and Thai) that tell the person what to do.

A reason is shown to the defendant on the check-in page, so each message says what went wrong
and what to try next, in plain language. `reason(code)` looks one up; `challenge_not_completed`
names the action that was missed (`reason("challenge_not_completed", action=Action.BLINK)`).
"""

from __future__ import annotations

from liveness.types import Action, Reason

# A reason code before it becomes a Reason: `challenge_not_completed` names the missed action.
Finding = tuple[str, Action | None]

ACTION_WORDS: dict[Action, tuple[str, str]] = {
    Action.TURN_LEFT: ("turn your head to your left", "หันศีรษะไปทางซ้ายของคุณ"),
    Action.TURN_RIGHT: ("turn your head to your right", "หันศีรษะไปทางขวาของคุณ"),
    Action.BLINK: ("blink your eyes", "กะพริบตา"),
    Action.OPEN_MOUTH: ("open your mouth wide", "อ้าปากกว้าง"),
}

CATALOGUE: dict[str, tuple[str, str]] = {
    # The positive outcome.
    "verified": (
        "Check-in verified. Thank you.",
        "ยืนยันการรายงานตัวเรียบร้อยแล้ว ขอบคุณ",
    ),
    # The ID-card photo (an officer sees these at enrolment).
    "unreadable_image": (
        "The ID photo could not be opened. Upload a JPEG or PNG picture of the ID card photo.",
        "ไม่สามารถเปิดรูปถ่ายบัตรประชาชนได้ กรุณาอัปโหลดรูปแบบ JPEG หรือ PNG",
    ),
    "no_face": (
        "No face was found in the ID photo. Use a photo where the face is clearly visible.",
        "ไม่พบใบหน้าในรูปถ่ายบัตร กรุณาใช้รูปที่เห็นใบหน้าชัดเจน",
    ),
    "several_faces": (
        "More than one face was found in the ID photo. Crop the photo to the one person.",
        "พบใบหน้ามากกว่าหนึ่งคนในรูปถ่ายบัตร กรุณาตัดรูปให้เหลือเพียงบุคคลเดียว",
    ),
    "face_too_small": (
        "The face in the ID photo is too small. Use a closer or higher-resolution photo.",
        "ใบหน้าในรูปถ่ายบัตรเล็กเกินไป กรุณาใช้รูปที่ใกล้ขึ้นหรือความละเอียดสูงขึ้น",
    ),
    "too_blurry": (
        "The ID photo is too blurry. Take a sharper picture of the card in good light.",
        "รูปถ่ายบัตรไม่ชัด กรุณาถ่ายรูปบัตรใหม่ให้คมชัดในที่ที่มีแสงเพียงพอ",
    ),
    "not_frontal": (
        "The face in the ID photo is not facing the camera. Use a photo taken from the front.",
        "ใบหน้าในรูปถ่ายบัตรไม่ได้หันตรง กรุณาใช้รูปที่ถ่ายจากด้านหน้า",
    ),
    # The check-in video as a file.
    "unreadable_video": (
        "The video could not be read. Please record the check-in again.",
        "ไม่สามารถอ่านวิดีโอได้ กรุณาบันทึกวิดีโอรายงานตัวใหม่อีกครั้ง",
    ),
    "video_too_large": (
        "The video file is too large. Record only the short check-in clip and try again.",
        "ไฟล์วิดีโอมีขนาดใหญ่เกินไป กรุณาบันทึกเฉพาะคลิปสั้นสำหรับรายงานตัวแล้วลองใหม่",
    ),
    "video_too_long": (
        "The video is too long. Record only the few seconds the page asks for.",
        "วิดีโอยาวเกินไป กรุณาบันทึกเพียงไม่กี่วินาทีตามที่หน้าจอแจ้ง",
    ),
    "too_many_frames": (
        "The video has too many frames. Record again with the check-in page, not another app.",
        "วิดีโอมีจำนวนเฟรมมากเกินไป กรุณาบันทึกใหม่ผ่านหน้ารายงานตัว ไม่ใช่แอปอื่น",
    ),
    "resolution_too_high": (
        "The video resolution is too high. Record again with the check-in page.",
        "ความละเอียดวิดีโอสูงเกินไป กรุณาบันทึกใหม่ผ่านหน้ารายงานตัว",
    ),
    "too_few_frames": (
        "The video is too short. Keep recording until the page says it is done.",
        "วิดีโอสั้นเกินไป กรุณาบันทึกต่อจนกว่าหน้าจอจะแจ้งว่าเสร็จสิ้น",
    ),
    # The face in the video.
    "no_face_in_clip": (
        "No face was seen in the video. Hold the phone at arm's length with your face in the frame, "
        "and take off a mask or dark glasses.",
        "ไม่พบใบหน้าในวิดีโอ กรุณาถือโทรศัพท์ห่างประมาณหนึ่งช่วงแขนให้ใบหน้าอยู่ในกรอบ "
        "และถอดหน้ากากหรือแว่นตาสีเข้มออก",
    ),
    "several_faces_in_clip": (
        "More than one face was seen in the video. Record alone, with nobody else in view.",
        "พบใบหน้ามากกว่าหนึ่งคนในวิดีโอ กรุณาบันทึกคนเดียวโดยไม่มีผู้อื่นอยู่ในภาพ",
    ),
    "face_too_small_in_clip": (
        "Your face is too small in the video. Move the phone closer so your face fills most of the screen.",
        "ใบหน้าในวิดีโอเล็กเกินไป กรุณาขยับโทรศัพท์เข้าใกล้ให้ใบหน้าเต็มหน้าจอ",
    ),
    "too_dark": (
        "The video is too dark. Face a window or a lamp and try again.",
        "วิดีโอมืดเกินไป กรุณาหันหน้าเข้าหาหน้าต่างหรือแสงไฟแล้วลองใหม่",
    ),
    "mask_on": (
        "A mask covers your nose and mouth. Please take it off just for the check-in and record again.",
        "หน้ากากปิดจมูกและปากของคุณอยู่ กรุณาถอดหน้ากากเฉพาะช่วงรายงานตัวแล้วบันทึกใหม่",
    ),
    "dark_glasses": (
        "Dark glasses hide your eyes. Please take them off just for the check-in and record again.",
        "แว่นตาสีเข้มบังดวงตาของคุณ กรุณาถอดแว่นเฉพาะช่วงรายงานตัวแล้วบันทึกใหม่",
    ),
    # The match against the ID-card photo.
    "glasses_off": (
        "Your glasses make the match with your ID card photo uncertain. Please take them off just for the check-in and record again.",
        "แว่นตาทำให้เทียบใบหน้ากับรูปบัตรประชาชนได้ไม่ชัดเจน กรุณาถอดแว่นเฉพาะช่วงรายงานตัวแล้วบันทึกใหม่",
    ),
    "face_mismatch": (
        "The face in the video does not match the ID card photo. If this is you, contact your officer.",
        "ใบหน้าในวิดีโอไม่ตรงกับรูปถ่ายบัตรประชาชน หากเป็นคุณจริง กรุณาติดต่อเจ้าหน้าที่ของคุณ",
    ),
    "match_uncertain": (
        "We could not be sure the face matches the ID photo. An officer will review your check-in.",
        "ระบบไม่แน่ใจว่าใบหน้าตรงกับรูปถ่ายบัตร เจ้าหน้าที่จะตรวจสอบการรายงานตัวของคุณ",
    ),
    "face_changed": (
        "The face changed during the video. Record again alone, without interruption.",
        "ใบหน้าในวิดีโอเปลี่ยนไประหว่างการบันทึก กรุณาบันทึกใหม่คนเดียวต่อเนื่องจนจบ",
    ),
    # Liveness and attack cues.
    "challenge_not_completed": (
        "The requested action was not seen in time. Record again and {action_en} when asked.",
        "ไม่พบการทำตามคำสั่งในเวลาที่กำหนด กรุณาบันทึกใหม่และ{action_th}เมื่อหน้าจอบอก",
    ),
    "no_motion": (
        "No movement was seen. Record yourself live and follow the instructions on the screen.",
        "ไม่พบการเคลื่อนไหว กรุณาบันทึกตัวคุณเองแบบสดและทำตามคำแนะนำบนหน้าจอ",
    ),
    "flat_face": (
        "The face moved like a flat picture. Record your own face live, not a photo.",
        "ใบหน้าเคลื่อนไหวเหมือนภาพแบนราบ กรุณาบันทึกใบหน้าของคุณเองแบบสด ไม่ใช่รูปถ่าย",
    ),
    "screen_suspected": (
        "The video looks like it was filmed from a screen. Record your own face directly.",
        "วิดีโอดูเหมือนถ่ายจากหน้าจอ กรุณาบันทึกใบหน้าของคุณเองโดยตรง",
    ),
    "border_suspected": (
        "The edges of a photo or a screen were seen around the face. Record your own face directly.",
        "พบขอบของรูปถ่ายหรือหน้าจอรอบใบหน้า กรุณาบันทึกใบหน้าของคุณเองโดยตรง",
    ),
    "analysis_failed": (
        "The check-in could not be analysed automatically. An officer will review it.",
        "ระบบไม่สามารถตรวจสอบการรายงานตัวโดยอัตโนมัติได้ เจ้าหน้าที่จะตรวจสอบให้",
    ),
}


def reason(code: str, *, action: Action | None = None) -> Reason:
    """The Reason for a catalogued code; raises KeyError for an unknown code (a programming error)."""
    en, th = CATALOGUE[code]
    if "{action_en}" in en:
        action_en, action_th = ACTION_WORDS[action] if action else ("do each action", "ทำตามคำสั่ง")
        en = en.format(action_en=action_en)
        th = th.format(action_th=action_th)
    return Reason(code, en, th)
