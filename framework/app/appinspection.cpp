// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The App's side of inspection (spec §10.1): what the server may read of it, and what it does
// when an inspector asks it to close. The server itself (inspection/) knows nothing of the App.
#include <mortar/app.h>

#include "app_p.h"
#include "inspectionserver_p.h"

#include <QCborArray>
#include <QCborMap>
#include <QMetaEnum>

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

namespace {

template <typename Enum>
QString enumName(Enum value)
{
    return QString::fromLatin1(QMetaEnum::fromType<Enum>().valueToKey(int(value)));
}

} // namespace

InspectedApp AppPrivate::inspectedApp()
{
    // hello() runs in the server's thread: it reads the options (constant after construction),
    // the label and two atomics, nothing else of the App.
    return {
            .label = options.label,
            .trace = trace.get(),
            .hooks = hooks.get(),
            .hello =
                    [this] {
                        QCborArray signalNumbers;
                        for (const int signalNumber : options.catchSignals)
                            signalNumbers.append(signalNumber);
                        return QCborMap{{u"label"_s, options.label},
                                        {u"state"_s, enumName(state.load())},
                                        {u"exitCode"_s, exitCode.load()},
                                        {u"options"_s,
                                         QCborMap{{u"exitOnClose"_s, options.exitOnClose},
                                                  {u"closeTimeoutMs"_s,
                                                   qint64(options.closeTimeout.count())},
                                                  {u"handlerTimeoutMs"_s,
                                                   qint64(options.handlerTimeout.count())},
                                                  {u"timeoutExitCode"_s, options.timeoutExitCode},
                                                  {u"catchSignals"_s, signalNumbers}}}};
                    },
    };
}

InspectedApp inspectedAppOf(App &app)
{
    return AppPrivate::get(app)->inspectedApp();
}

Result AppPrivate::startInspection()
{
    inspection = std::make_unique<InspectionServer>(inspectedApp());

    // The snapshot's plugins and extensions change only with these, in the App's thread.
    const auto refresh = [this] { refreshInspectionInventory(); };
    QObject::connect(plugins.get(), &PluginManager::pluginLoaded, inspection.get(), refresh);
    QObject::connect(plugins.get(), &PluginManager::pluginFailed, inspection.get(), refresh);
    QObject::connect(plugins.get(), &PluginManager::pluginUnloaded, inspection.get(), refresh);
    QObject::connect(extensions.get(), &ExtensionRegistry::extensionLoaded, inspection.get(),
                     refresh);
    QObject::connect(extensions.get(), &ExtensionRegistry::extensionFailed, inspection.get(),
                     refresh);
    QObject::connect(q, &App::stateChanged, inspection.get(), refresh);
    refreshInspectionInventory();

    // A launching inspector hands its token over; otherwise the server makes one. Read once and
    // removed, so that the app's children do not inherit it (spec §10.1).
    const QString token = qEnvironmentVariable("MORTAR_INSPECT_TOKEN");
    qunsetenv("MORTAR_INSPECT_TOKEN");
    if (const Result listening = inspection->listen(token); !listening)
        return listening;

    // Queued: the request arrives inside the server's socket handling, which the close's nested
    // event loops (and quit_requested's dialogs) must not re-enter. A quit request (spec §4.7):
    // quit_requested may veto it.
    QObject::connect(
            inspection.get(), &InspectionServer::closeRequested, q,
            [this] {
                if (state >= App::State::Closing) {
                    record(u"close.repeated"_s, {{u"cause"_s, u"inspector"_s}});
                    return;
                }
                if (requestQuit(CloseCause::Inspector, std::nullopt))
                    close(std::nullopt, CloseCause::Inspector);
            },
            Qt::QueuedConnection);
    return Result::success();
}

void AppPrivate::refreshInspectionInventory()
{
    QCborArray pluginList;
    for (const PluginInfo &plugin : plugins->plugins()) {
        pluginList.append(QCborMap{{u"name"_s, plugin.name},
                                   {u"version"_s, plugin.version},
                                   {u"description"_s, plugin.description},
                                   {u"depends"_s, QCborArray::fromStringList(plugin.depends)},
                                   {u"enabledByDefault"_s, plugin.enabledByDefault},
                                   {u"fileName"_s, plugin.fileName},
                                   {u"state"_s, enumName(plugin.state)},
                                   {u"error"_s, plugin.errorString},
                                   {u"enabledBy"_s, plugin.enabledBy}});
    }
    QCborArray extensionList;
    for (const ExtensionRegistry::Extension &extension : extensions->extensions()) {
        extensionList.append(QCborMap{{u"name"_s, extension.name},
                                      {u"state"_s, enumName(extension.state)},
                                      {u"error"_s, extension.error}});
    }
    inspection->setInventory(std::move(pluginList), std::move(extensionList));
}

} // namespace Mortar::Internal
