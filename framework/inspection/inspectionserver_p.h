// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <mortar/inspectionprotocol.h>
#include <mortar/mortar_export.h>
#include <mortar/result.h>
#include <mortar/trace.h>

#include <QObject>
#include <QThread>

#include <chrono>
#include <memory>

namespace Mortar {
class App;
}

namespace Mortar::Internal {

class InspectionWorker;
struct InspectionShared;

/*!
    The App's inspection server (SPEC 10.1): a QLocalServer in the user's runtime directory
    that streams the App's hooks and trace to connected inspectors (docs/inspection-protocol.md).

    Owned by the App's private part, created by setup() when inspection is on. This object
    lives in the App's thread; the sockets live in a thread of their own (InspectionWorker),
    which pulls the events from the App's trace and sends them. A client that does not keep up
    never slows the App; it gets the events later, as long as the trace keeps them. The close
    does not wait for inspectors; the end of the process does (bounded).
*/
class MORTAR_EXPORT InspectionServer final : public QObject // exported for its tests
{
    Q_OBJECT

public:
    explicit InspectionServer(App &app);
    /*! Sends what is queued and waits (flush(), at most a second) so that inspectors see the
        whole run, then closes every connection. */
    ~InspectionServer() override;
    /*! What the destructor does, earlier: removes the socket and the token file, flushes to
        the connected inspectors (at most a second), closes every connection. For an end that
        skips the destructor (exitOnClose's std::exit). Idempotent. */
    void shutdown();

    /*! Listens on <runtime dir>/mortar/<label>-<pid>. The token is \a token (a launched app's,
        from MORTAR_INSPECT_TOKEN) or a new random one written to a 0600 file beside the socket. */
    Result listen(const QString &token = {});
    QString socketPath() const;
    QString tokenPath() const;
    QString token() const;
    int clientCount() const;

    /*! Sends what is queued and waits, at most \a budget, until clients took it; a client that
        takes nothing for 100 ms is not waited for. */
    void flush(std::chrono::milliseconds budget);

    /*! Bytes queued for one client beyond which its events are dropped (and counted). */
    void setMaxPendingBytes(qint64 bytes);

    /*! The directory of every app's socket: <runtime dir>/mortar, created 0700; refused if it
        belongs to another user or others may enter it. */
    static Result runtimeDirectory(QString *path);

Q_SIGNALS:
    /*! A client asked the App to close. */
    void closeRequested();

private:
    /*! Copies the plugins and extensions for the snapshot (App's thread). */
    void refreshInventory();
    void removeFiles();

    App &m_app;
    const std::shared_ptr<InspectionShared> m_shared;
    QString m_socketPath;
    QString m_tokenPath;
    QStringList m_registered; // with the emergency cleanup (spec §6.2), until removed
    QThread m_thread;
    InspectionWorker *m_worker = nullptr; // lives in m_thread; deleted when it finishes
};

} // namespace Mortar::Internal
