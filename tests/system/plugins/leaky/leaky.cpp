// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A plugin that leaves things running after its unload(), for tst_leakcensus (spec §16):
// a QThread "uploader" (a child of the plugin object, so that destroying the plugin aborts
// with "QThread: Destroyed while thread is still running"; with LEAKY_ORPHAN=1 it has no
// parent, and the process ends normally), an active QTimer "poller" without a parent, and
// /dev/null kept open. With LEAKY_CLEAN=1 its unload() ends all three: nothing is left.
#include <mortar/app.h>
#include <mortar/plugin.h>

#include <QThread>
#include <QTimer>

#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

class LeakyPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "leaky.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &) override
    {
        m_thread = new QThread(qEnvironmentVariableIntValue("LEAKY_ORPHAN") ? nullptr : this);
        m_thread->setObjectName(u"uploader"_s);
        m_thread->start();
        m_timer = new QTimer;
        m_timer->setObjectName(u"poller"_s);
        m_timer->start(60'000);
        m_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    void unload(Mortar::App &) override
    {
        if (!qEnvironmentVariableIntValue("LEAKY_CLEAN"))
            return;
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        delete m_timer;
        ::close(m_fd);
    }

private:
    QThread *m_thread = nullptr;
    QTimer *m_timer = nullptr;
    int m_fd = -1;
};

#include "leaky.moc"
