// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Notepad: a Qt Widgets application on Mortar. QApplication as it is, the App created before
// the widgets; a lock file (mortar.pidfile) so that one notepad runs at a time; an autosave
// (recovery) copy in a temporary file (mortar.tempfiles); a run-time plugin (spellcheck) that
// cleans up too; "unsaved changes?" asked in quit_requested, where Cancel can veto; and a slow
// asynchronous flush that the CloseProgressDialog shows while the close waits for it.
//
//   quit_requested    0  notepad: unsaved changes?      (closing the window, File → Quit, Ctrl+Q)
//   pre_close       -10  notepad: flush autosave         asynchronous, ~800 ms
//                     0  App::preClose()  → spellcheck's slot saves the personal dictionary
//                     5  spellcheck: close dictionary
//                    10  notepad: remove autosave        only after the flush has finished
//   post_close     1000  remove temporary files          (mortar.tempfiles)
//                  2000  remove pid file                 (mortar.pidfile: the lock file)
//
//   $ ./notepad [FILE] [--quit-code N] [--trace FILE] [--inspect]    (README.md: the rest)
#include "notepadwindow.h"

#include <mortar/app.h>
#include <mortar/closeprogressdialog.h>
#include <mortar/pidfile.h>

#include <QApplication>
#include <QDir>
#include <QImage>
#include <QPainter>
#include <QTextStream>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
/*! \a widget as it looks on screen, with a plain frame and title bar drawn around it (a grab
    has no window decorations, and Xvfb has no window manager to draw them). */
QImage framed(QWidget &widget)
{
    const QImage content = widget.grab().toImage();
    constexpr int titleHeight = 26;
    QImage image(content.width() + 2, content.height() + titleHeight + 1, QImage::Format_RGB32);
    image.fill(QColor(0x5a, 0x5a, 0x5a));
    QPainter painter(&image);
    painter.fillRect(1, 1, content.width(), titleHeight - 1, QColor(0xdd, 0xdd, 0xdd));
    QFont font = widget.font();
    font.setBold(true);
    painter.setFont(font);
    const QString title =
            widget.windowTitle().replace(u"[*]"_s, widget.isWindowModified() ? u"*"_s : QString());
    painter.drawText(QRect(1, 1, content.width(), titleHeight - 1), Qt::AlignCenter, title);
    painter.drawImage(1, titleHeight, content);
    return image;
}

/*! NOTEPAD_SCREENSHOT=PNG: saves what the user sees once the close progress shows (the window,
    if still open, with the dialog over it) — how docs/close-progress.png was made. */
void saveScreenshotOfCloseProgress(QMainWindow &window, QProgressDialog &progress,
                                   const QString &path)
{
    QImage image = framed(progress);
    if (window.isVisible()) {
        const QImage dialog = image;
        image = framed(window);
        QPainter painter(&image);
        painter.drawImage((image.width() - dialog.width()) / 2,
                          (image.height() - dialog.height()) / 2, dialog);
    }
    QTextStream(stdout) << "notepad: screenshot " << (image.save(path) ? "saved " : "FAILED ")
                        << path << Qt::endl;
}
} // namespace

int main(int argc, char *argv[])
{
    QApplication qtApp(argc, argv);
    QApplication::setApplicationName(u"notepad"_s);
    QApplication::setApplicationVersion(u"1.0"_s);
    const QDir programDir(QCoreApplication::applicationDirPath());

    // The App first, the widgets after it: they register handlers with the App, and a widget
    // must never outlive what it hooked into.
    Mortar::App app({
            .label = u"notepad"_s,
            .pluginDirs = {programDir.filePath(u"plugins"_s)},
            .configFiles = Mortar::Config::standardFiles(u"notepad"_s)
                    + QStringList{programDir.filePath(u"notepad.conf"_s)},
            // The lock file: <runtime dir>/notepad.lock, unless [pidfile] path says otherwise.
            .configDefaults = {{u"pidfile/path"_s, u"notepad.lock"_s}},
    });
    app.commandLine().setApplicationDescription(u"A notepad that closes right."_s);
    app.commandLine().addPositionalArgument(u"file"_s, u"The text file to edit."_s, u"[file]"_s);
    app.commandLine().addOption(
            {u"quit-code"_s, u"Exit status of File → Quit (default 0)."_s, u"N"_s, u"0"_s});
    if (!app.setup())
        return app.exitCode(); // 78 if another notepad holds the lock file; the log says which

    const QString autosave = app.tempFiles().createFile(u"notepad-autosave-XXXXXX.txt"_s);
    if (autosave.isEmpty()) {
        app.log().fatal(app.tempFiles().errorString());
        app.close(73); // EX_CANTCREAT
        return app.exitCode();
    }
    const QStringList files = app.commandLine().positionalArguments();
    NotepadWindow window(app, files.value(0), autosave);
    Mortar::CloseProgressDialog progress(app, &window);

    if (const QString screenshot = qEnvironmentVariable("NOTEPAD_SCREENSHOT");
        !screenshot.isEmpty()) {
        QObject::connect(&app, &Mortar::App::pendingHandlersChanged, &progress,
                         [&, screenshot](const QStringList &pending) {
                             if (pending.isEmpty())
                                 return;
                             QTimer::singleShot(
                                     std::chrono::milliseconds(progress.minimumDuration()) + 150ms,
                                     &progress, [&, screenshot] {
                                         if (progress.isVisible())
                                             saveScreenshotOfCloseProgress(window, progress,
                                                                           screenshot);
                                     });
                         });
    }

    window.show();
    QTextStream(stdout) << "notepad: ready window " << window.winId() << " autosave " << autosave
                        << " lock " << Mortar::PidFile::path(app) << Qt::endl;
    return app.exec();
}
