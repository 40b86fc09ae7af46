// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <QMainWindow>
#include <QTimer>

class QPlainTextEdit;

namespace Mortar {
class App;
class HookContext;
} // namespace Mortar

/*!
    The notepad's window: one text, a file to save it to, and an autosave (recovery) copy that
    lives in a temporary file of the App. Its handlers, registered with the window as their
    context:

      quit_requested    0  notepad: unsaved changes?   Save / Discard / Cancel (Cancel vetoes)
      pre_close       -10  notepad: flush autosave      asynchronous, ~800 ms
      pre_close        10  notepad: remove autosave     after the flush finished (weight levels
                                                        are barriers), unless the text is unsaved
                                                        and nobody was asked (a signal): then it
                                                        is kept for recovery
*/
class NotepadWindow final : public QMainWindow
{
    Q_OBJECT

public:
    NotepadWindow(Mortar::App &app, const QString &fileName, const QString &autosavePath);

    bool isModified() const;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void askToSave(Mortar::HookContext &context);
    void flushAutosave(Mortar::HookContext &context);
    void removeAutosave();
    bool save();
    bool writeAutosave() const;
    /*! The answer to "unsaved changes?": from NOTEPAD_ANSWER if set, else from the user. */
    enum class Answer { Save, Discard, Cancel };
    Answer answer();

    Mortar::App &m_app;
    QString m_fileName;
    QString m_autosavePath;
    QPlainTextEdit *m_editor = nullptr; // owned by the window
    QTimer m_autosaveTimer;
    bool m_decided = false; // the user answered "unsaved changes?" and did not cancel
    int m_answersGiven = 0; // for NOTEPAD_ANSWER=cancel-once
};
