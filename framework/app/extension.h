// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>
#include <mortar/result.h>

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace Mortar {

class App;

namespace Internal {
class ExtensionRegistryPrivate;
class AppPrivate;
} // namespace Internal

/*!
    \brief The compiled-in extensions an App knows, and those it loaded (\c{app.extensions()}).

    An extension is a function \c{void load(Mortar::App &)} registered under a name with
    MORTAR_EXTENSION() when the program (or the library holding it) is loaded. Every App knows
    every registered extension; it loads those named in AppOptions::extensions during setup()
    (after \c pre_setup, before the command line is parsed), and any other when load() is
    called. An extension loads at most once per App. Handlers its load() registers are owned by
    \c{extension:<name>} (the trace's and the inspector's \c owner).

    Mortar brings \c mortar.pidfile and \c mortar.tempfiles (see docs/extensions.md).

    Use it from the App's thread.
*/
class MORTAR_EXPORT ExtensionRegistry final : public QObject
{
    Q_OBJECT

public:
    /*! What a compiled-in extension does when an App loads it. An exception it throws fails
        the load (and setup(), when setup() loads it), naming the extension and the error. */
    using LoadFunction = void (*)(App &app);

    enum class State { Available, Loading, Loaded, Failed };
    Q_ENUM(State)

    /*! One extension as this App sees it. */
    struct Extension
    {
        QString name;
        State state = State::Available;
        QString error;       //!< why it failed (state Failed)
        QString requestedBy; //!< e.g. \c AppOptions::extensions, or why it loaded implicitly
    };

    ~ExtensionRegistry() override;

    /*!
        Registers a compiled-in extension for every App of the process; MORTAR_EXTENSION() calls
        it during static initialization. Returns false, with a warning, if \a name is empty,
        \a load is null, or \a name is taken (the first registration stays).
    */
    static bool registerExtension(const char *name, LoadFunction load);
    /*! The names of every registered extension, sorted. */
    static QStringList registeredNames();

    /*! Same as registeredNames(): what load() accepts. */
    QStringList known() const;
    /*! Every known extension with its state for this App, sorted by name. */
    QList<Extension> extensions() const;
    /*! The extensions loaded, in load order. */
    QStringList loaded() const;
    bool isLoaded(const QString &name) const;
    State state(const QString &name) const;

    /*!
        Loads the extension \a name: runs its load function, recording \c extension.loaded (or
        \c extension.failed) in the trace. Loading an extension that is loaded (or being loaded)
        does nothing and succeeds; one that failed is not run again and fails again. Fails for
        an unknown name (\c{unknown extension 'x' (known: a, b)}), and once the App is closing,
        since the extension's close handlers would never run.
    */
    Result load(const QString &name);
    /*! Loads each of \a names in order; checks that all are known before loading any. Stops at
        the first failure and returns it. Names given twice load once. */
    Result load(const QStringList &names);

Q_SIGNALS:
    void extensionLoaded(const QString &name);
    void extensionFailed(const QString &name, const QString &error);

private:
    friend class Internal::AppPrivate;
    friend class Internal::ExtensionRegistryPrivate;
    explicit ExtensionRegistry(App *app);
    std::unique_ptr<Internal::ExtensionRegistryPrivate> const d;
};

} // namespace Mortar

#define MORTAR_EXTENSION_CONCAT_(a, b) a##b
#define MORTAR_EXTENSION_CONCAT(a, b) MORTAR_EXTENSION_CONCAT_(a, b)

/*!
    Registers the compiled-in extension \a name, whose \a loadFunction (\c{void (Mortar::App &)},
    a function or a lambda without captures) runs when an App loads it. Write it once, at
    namespace scope in a .cpp file of the program or of a shared library it links:
    \code
    static void load(Mortar::App &app)
    {
        app.hooks().add(u"pre_close"_s, [] { flushCache(); });
    }
    MORTAR_EXTENSION("cache", load)
    \endcode
    The registration runs during static initialization, before main(). In a static library,
    an object file nothing else refers to is not linked in; put the macro next to code the
    program uses (or link the library whole).
*/
#define MORTAR_EXTENSION(name, loadFunction)                                                       \
  namespace {                                                                                      \
  [[maybe_unused]] const bool MORTAR_EXTENSION_CONCAT(mortarExtensionRegistered_, __COUNTER__) =   \
          ::Mortar::ExtensionRegistry::registerExtension(name, loadFunction);                      \
  }
