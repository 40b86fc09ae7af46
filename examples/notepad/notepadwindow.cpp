// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "notepadwindow.h"

#include <mortar/app.h>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFile>
#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QTextStream>

#include <stdexcept>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
// What the notepad does, one line each on stdout: the README and the system test read it.
void say(const QString &line)
{
    QTextStream(stdout) << "notepad: " << line << Qt::endl;
}
} // namespace

NotepadWindow::NotepadWindow(Mortar::App &app, const QString &fileName, const QString &autosavePath)
    : m_app(app),
      m_fileName(fileName),
      m_autosavePath(autosavePath)
{
    m_editor = new QPlainTextEdit(this);
    setCentralWidget(m_editor);
    resize(640, 420);
    if (!m_fileName.isEmpty()) {
        QFile file(m_fileName);
        if (file.open(QIODevice::ReadOnly))
            m_editor->setPlainText(QString::fromUtf8(file.readAll()));
    }
    m_editor->document()->setModified(false);
    connect(m_editor->document(), &QTextDocument::modificationChanged, this,
            [this](bool modified) { setWindowModified(modified); });
    setWindowTitle(u"%1[*] — Notepad"_s.arg(m_fileName.isEmpty() ? u"Untitled"_s : m_fileName));

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(tr("&Save"), QKeySequence::Save, this, [this] { save(); });
    fileMenu->addAction(tr("&Close window"), QKeySequence(u"Ctrl+W"_s), this, [this] { close(); });
    // A quit request (SPEC §4.7): quit_requested asks about unsaved text before anything closes.
    // --quit-code N gives it an exit status, for scripts that run the notepad as their editor.
    fileMenu->addAction(tr("&Quit"), QKeySequence(u"Ctrl+Q"_s), this,
                        [this] { m_app.quit(m_app.commandLine().value(u"quit-code"_s).toInt()); });

    // Autosave while typing: a cheap, synchronous write a second after the last keystroke.
    m_autosaveTimer.setSingleShot(true);
    m_autosaveTimer.setInterval(1s);
    connect(&m_autosaveTimer, &QTimer::timeout, this, [this] { writeAutosave(); });
    connect(m_editor, &QPlainTextEdit::textChanged, &m_autosaveTimer, qOverload<>(&QTimer::start));

    // Once the close has begun, typing would be lost: the text is what the flush writes.
    connect(&m_app, &Mortar::App::stateChanged, this, [this](Mortar::App::State state) {
        if (state == Mortar::App::State::Closing)
            m_editor->setReadOnly(true);
    });

    // The window is each handler's context: were it destroyed first, its handlers would be
    // removed with it (and the trace would say so), never called on a dead window.
    m_app.hooks().add(u"quit_requested"_s, this, &NotepadWindow::askToSave,
                      {.name = u"notepad: unsaved changes?"_s});
    m_app.hooks().add(u"pre_close"_s, this, &NotepadWindow::flushAutosave,
                      {.weight = -10, .name = u"notepad: flush autosave"_s});
    m_app.hooks().add(u"pre_close"_s, this, &NotepadWindow::removeAutosave,
                      {.weight = 10, .name = u"notepad: remove autosave"_s});
}

bool NotepadWindow::isModified() const
{
    return m_editor->document()->isModified();
}

void NotepadWindow::closeEvent(QCloseEvent *event)
{
    // Closing the window with unsaved text is a quit request like File → Quit: the question is
    // asked in quit_requested, while the window is still on screen, and Cancel keeps it open.
    // Once answered (or with nothing to ask, or when the App closes anyway) the window goes.
    if (!isModified() || m_decided || m_app.state() >= Mortar::App::State::Closing) {
        event->accept();
        return;
    }
    event->ignore();
    QMetaObject::invokeMethod(qApp, &QCoreApplication::quit, Qt::QueuedConnection);
}

NotepadWindow::Answer NotepadWindow::answer()
{
    // NOTEPAD_ANSWER answers for the user, for tests and scripts (see README.md).
    const QString scripted = qEnvironmentVariable("NOTEPAD_ANSWER");
    const int asked = m_answersGiven++;
    if (scripted == u"save"_s)
        return Answer::Save;
    if (scripted == u"discard"_s)
        return Answer::Discard;
    if (scripted == u"cancel"_s)
        return Answer::Cancel;
    if (scripted == u"cancel-once"_s)
        return asked == 0 ? Answer::Cancel : Answer::Discard;

    const auto button = QMessageBox::warning(
            this, tr("Notepad"), tr("The text has unsaved changes."),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    return button == QMessageBox::Save       ? Answer::Save
            : button == QMessageBox::Discard ? Answer::Discard
                                             : Answer::Cancel;
}

void NotepadWindow::askToSave(Mortar::HookContext &context)
{
    if (!isModified()) {
        m_decided = true;
        return;
    }
    switch (answer()) {
    case Answer::Save:
        say(u"unsaved changes? save"_s);
        if (!save()) {
            // Nowhere to save to (the file dialog was cancelled, or the write failed): keep
            // the text, and the App running.
            say(u"not saved; quit cancelled"_s);
            context.preventDefault();
            return;
        }
        break;
    case Answer::Discard: say(u"unsaved changes? discard"_s); break;
    case Answer::Cancel:
        // The veto: nothing closes, the exit code stays, the trace records quit.prevented.
        say(u"unsaved changes? cancel"_s);
        context.preventDefault();
        return;
    }
    m_decided = true;
}

void NotepadWindow::flushAutosave(Mortar::HookContext &context)
{
    // The last autosave goes to a slow disk: it takes ~800 ms and finishes asynchronously. The
    // close waits for the Deferral (the event loop keeps running, so the CloseProgressDialog
    // can show what it waits for) before any handler of a higher weight starts.
    m_autosaveTimer.stop();
    say(u"flushing autosave"_s);
    QTimer::singleShot(800ms, this, [this, deferral = context.defer()]() mutable {
        if (writeAutosave()) {
            say(u"autosave flushed"_s);
            deferral.complete();
        } else {
            deferral.fail(u"could not write %1"_s.arg(m_autosavePath));
        }
    });
}

void NotepadWindow::removeAutosave()
{
    // Runs once the flush above has finished: were it still pending, it would write the file
    // again after this removed it, and the recovery copy would be left behind.
    if (isModified() && !m_decided) {
        // Nobody was asked (a signal closed the App): the unsaved text outlives the App.
        m_app.tempFiles().release(m_autosavePath);
        say(u"unsaved text kept in %1"_s.arg(m_autosavePath));
        return;
    }
    if (!m_app.tempFiles().remove(m_autosavePath))
        throw std::runtime_error(m_app.tempFiles().errorString().toStdString());
    say(u"autosave removed"_s);
}

bool NotepadWindow::save()
{
    if (m_fileName.isEmpty()) {
        m_fileName = QFileDialog::getSaveFileName(this, tr("Save as"));
        if (m_fileName.isEmpty())
            return false;
        setWindowTitle(u"%1[*] — Notepad"_s.arg(m_fileName));
    }
    QSaveFile file(m_fileName);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_editor->toPlainText().toUtf8()) < 0
        || !file.commit()) {
        m_app.log().error(u"Unable to save %1: %2"_s.arg(m_fileName, file.errorString()));
        return false;
    }
    m_editor->document()->setModified(false);
    say(u"saved %1"_s.arg(m_fileName));
    return true;
}

bool NotepadWindow::writeAutosave() const
{
    QFile file(m_autosavePath);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate)
            && file.write(m_editor->toPlainText().toUtf8()) >= 0;
}
