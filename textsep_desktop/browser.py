"""File browser panel: the audio files of a chosen folder, with class labels when known.

Labels come from an ESC-50 tree (meta/esc50.csv with filename,category; the folder may be the
dataset root, its audio/ folder, or any folder whose parent holds meta/esc50.csv) or from a
manifest.csv in the folder with path,label columns (path relative to the folder).
"""
from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTreeView, QVBoxLayout, QWidget)

from textsep.audio import list_audio_files


def _read_csv(path: Path) -> list[dict]:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except (OSError, csv.Error, UnicodeDecodeError):
        return []


def folder_labels(folder: Path) -> tuple[dict[str, str], str]:
    """({resolved file path: label}, source description) for a folder, or ({}, '')."""
    folder = Path(folder)
    for root in (folder, folder.parent):
        meta = root / "meta" / "esc50.csv"
        if meta.is_file():
            audio_dir = root / "audio" if (root / "audio").is_dir() else root
            rows = _read_csv(meta)
            labels = {str((audio_dir / r["filename"]).resolve()): r["category"] for r in rows
                      if r.get("filename") and r.get("category")}
            return labels, "ESC-50 categories"
    manifest = folder / "manifest.csv"
    if manifest.is_file():
        rows = _read_csv(manifest)
        labels = {str((folder / r["path"]).resolve()): r["label"] for r in rows if r.get("path") and r.get("label")}
        return labels, "manifest.csv labels"
    return {}, ""


def scan(folder: Path) -> tuple[list[tuple[Path, str]], str]:
    folder = Path(folder)
    audio_dir = folder / "audio" if (folder / "meta" / "esc50.csv").is_file() and (folder / "audio").is_dir() \
        else folder
    labels, source = folder_labels(folder)
    files = list_audio_files(audio_dir)
    return [(p, labels.get(str(p.resolve()), "")) for p in files], source


class BrowserPanel(QWidget):
    fileActivated = Signal(str)
    folderChanged = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.folder: Path | None = None
        self.choose = QPushButton("Choose folder…")
        self.choose.clicked.connect(self._choose)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by name or label")
        self.filter.setClearButtonEnabled(True)
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["File", "Label"])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QTreeView()
        self.view.setModel(self.proxy)
        self.view.setRootIsDecorated(False)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.header().setStretchLastSection(False)
        self.view.header().resizeSection(1, 110)
        self.view.activated.connect(self._activated)
        self.status = QLabel("No folder")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        top.addWidget(self.choose)
        lay.addLayout(top)
        lay.addWidget(self.filter)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.status)

    def _choose(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Choose a folder of audio files",
                                             str(self.folder or Path.home()))
        if d:
            self.set_folder(d)

    def set_folder(self, folder) -> None:
        folder = Path(folder)
        if not folder.is_dir():
            self.status.setText(f"Not a folder: {folder}")
            return
        self.folder = folder
        entries, source = scan(folder)
        self.model.removeRows(0, self.model.rowCount())
        for path, label in entries:
            name = QStandardItem(path.name)
            name.setData(str(path), Qt.ItemDataRole.UserRole)
            name.setToolTip(str(path))
            self.model.appendRow([name, QStandardItem(label)])
        self.view.setColumnHidden(1, not source)
        n = len(entries)
        self.status.setText(f"{folder.name}: {n} audio file{'s' if n != 1 else ''}" + (f" · {source}" if source else ""))
        self.folderChanged.emit(str(folder))

    def entries(self) -> list[tuple[str, str]]:
        return [(self.model.item(r, 0).data(Qt.ItemDataRole.UserRole), self.model.item(r, 1).text())
                for r in range(self.model.rowCount())]

    def highlight(self, path) -> None:
        """Select the row of `path` if it is listed."""
        target = str(Path(path))
        for r in range(self.model.rowCount()):
            if self.model.item(r, 0).data(Qt.ItemDataRole.UserRole) == target:
                idx = self.proxy.mapFromSource(self.model.index(r, 0))
                self.view.setCurrentIndex(idx)
                self.view.scrollTo(idx)
                return

    def _activated(self, index) -> None:
        src = self.proxy.mapToSource(index)
        path = self.model.item(src.row(), 0).data(Qt.ItemDataRole.UserRole)
        self.fileActivated.emit(path)
