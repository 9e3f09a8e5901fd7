"""Dark theme: a Fusion palette, a short style sheet and the overlay colours (one per part)."""
from __future__ import annotations

BG = "#1b1d21"
PANEL = "#23262b"
BORDER = "#33373e"
TEXT = "#e6e8eb"
MUTED = "#9aa0a8"
ACCENT = "#4cc2ff"
GOOD = "#5fd38d"
WARN = "#f0b429"
BAD = "#ff6b6b"

# overlay colours in `PARTS` order: pose, signer's left hand, signer's right hand
PART_COLORS = ((235, 235, 235), (255, 166, 48), (76, 194, 255))

STYLE = f"""
QMainWindow, QDialog {{ background: {BG}; }}
QWidget {{ color: {TEXT}; font-size: 10pt; }}
QStatusBar {{ background: {PANEL}; border-top: 1px solid {BORDER}; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 6px; }}
QMenuBar {{ background: {PANEL}; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: #2f3d4a; }}
QMenu {{ background: {PANEL}; border: 1px solid {BORDER}; }}
QMenu::item:disabled {{ color: #666b73; }}
QFrame#panel {{ background: {PANEL}; border: 1px solid {BORDER}; border-radius: 6px; }}
QLabel#heading {{ color: {MUTED}; font-size: 9pt; font-weight: 600; letter-spacing: 1px; }}
QLabel#sign {{ font-size: 26pt; font-weight: 700; color: {ACCENT}; }}
QLabel#signIdle {{ font-size: 17pt; font-weight: 600; color: #7d848e; }}
QLabel#signUnknown {{ font-size: 17pt; font-weight: 600; color: {WARN}; }}
QFrame#hint {{ background: rgba(35, 38, 43, 235); border: 1px solid {ACCENT}; border-radius: 8px; }}
QTabWidget::pane {{ border: 1px solid {BORDER}; border-radius: 6px; background: {PANEL}; }}
QTabBar::tab {{ background: {BG}; color: {MUTED}; padding: 4px 10px; border: 1px solid {BORDER}; }}
QTabBar::tab:selected {{ background: {PANEL}; color: {TEXT}; }}
QListWidget, QLineEdit {{ background: {BG}; border: 1px solid {BORDER}; border-radius: 4px; }}
QLabel#history {{ color: {TEXT}; font-size: 11pt; }}
QLabel#banner {{ background: rgba(240, 180, 41, 215); color: #1b1d21; font-weight: 600;
                 padding: 6px 10px; border-radius: 4px; }}
QLabel#placeholder {{ color: {MUTED}; font-size: 13pt; }}
QPushButton {{ background: #2c3036; border: 1px solid {BORDER}; border-radius: 4px; padding: 5px 12px; }}
QPushButton:hover {{ background: #353a41; }}
QPushButton:pressed {{ background: #2f3d4a; }}
QSlider::groove:horizontal {{ height: 4px; background: {BORDER}; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {ACCENT}; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: {TEXT}; width: 12px; margin: -5px 0; border-radius: 6px; }}
QTextBrowser {{ background: {PANEL}; border: 1px solid {BORDER}; }}
"""


def apply_dark(app) -> None:
    """Fusion + dark palette + style sheet on a QApplication; pyqtgraph defaults to match."""
    import pyqtgraph as pg
    from PySide6.QtGui import QColor, QPalette

    app.setStyle("Fusion")
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: BG, QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: PANEL, QPalette.ColorRole.AlternateBase: BG,
        QPalette.ColorRole.ToolTipBase: PANEL, QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.Text: TEXT, QPalette.ColorRole.Button: "#2c3036",
        QPalette.ColorRole.ButtonText: TEXT, QPalette.ColorRole.Highlight: "#2f6f95",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.Link: ACCENT,
        QPalette.ColorRole.PlaceholderText: MUTED,
    }
    for role, color in roles.items():
        pal.setColor(role, QColor(color))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#666b73"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#666b73"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#666b73"))
    app.setPalette(pal)
    app.setStyleSheet(STYLE)
    pg.setConfigOptions(background=PANEL, foreground=MUTED, antialias=True)
